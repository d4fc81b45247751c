# frozen_string_literal: true

require 'base64'
require_relative 'hosts_block'
require_relative 'host_dns'
require_relative 'values'

module Boxwright
  # Guest-side name resolution: after up/reload, the guest's /etc/hosts maps the machine's names to
  # its own private IP (a managed block), and loopback lines stop claiming those names (a box or
  # Vagrant may map the hostname to 127.0.1.1, which would win over the block). Loopback names
  # (localhost, localhost.localdomain, *.localhost) are never taken from their lines.
  # Done from a trigger over the machine's communicator: no provisioner runs.
  module GuestHosts
    module_function

    # Names the guest resolves to its IP: hostname, its first label when that is a valid name on
    # its own, aliases; never a loopback name.
    def names(node)
      short = node.hostname.split('.').first
      list = [node.hostname]
      list << short unless Values.hostname_problem(short)
      (list + node.aliases).uniq.reject { |n| Values.reserved_hostname?(n) }
    end

    # New /etc/hosts text for the guest. Pure.
    def render(text, node)
      wanted = names(node).map(&:downcase)
      lines = HostsBlock.split_lines(text).filter_map do |body, line_end|
        fields = body.split(/[ \t]+/).reject(&:empty?)
        next [body, line_end] unless fields.length >= 2 && fields[0].start_with?('127.') &&
                                     fields.drop(1).any? { |f| wanted.include?(f.downcase) }

        kept = fields.drop(1).take_while { |f| !f.start_with?('#') }.reject { |f| wanted.include?(f.downcase) }
        kept.empty? ? nil : ["#{fields[0]}\t#{kept.join(' ')}", line_end]
      end
      HostsBlock.set(HostsBlock.join(lines), node.hosts_block_id, [HostsBlock.entry(node.ip, names(node))])
    end

    def configure(config, node)
      config.trigger.after %i[up reload provision resume] do |t|
        t.name = 'boxwright: guest name resolution'
        t.ruby { |_env, machine| update(machine, node) }
      end
    end

    def update(machine, node)
      return unless HostDns.running?(machine) && machine.communicate.ready?

      current = +''
      machine.communicate.execute('cat /etc/hosts', error_check: false) { |type, data| current << data if type == :stdout }
      wanted = render(current, node)
      return if wanted == current

      machine.communicate.sudo("echo '#{Base64.strict_encode64(wanted)}' | base64 -d > /etc/hosts")
      machine.ui.info("Boxwright: guest /etc/hosts maps #{names(node).join(', ')} to #{node.ip}")
    rescue StandardError => e
      machine.ui.warn("Boxwright: could not update the guest's /etc/hosts (#{e.message}); " \
                      "inside the VM add: #{HostsBlock.entry(node.ip, names(node))}")
    end
  end
end
