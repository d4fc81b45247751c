# frozen_string_literal: true

require 'base64'
require_relative 'hosts_block'
require_relative 'host_dns'

module Boxwright
  # Guest-side name resolution: after up/reload, the guest's /etc/hosts maps the lab's names to
  # the VM's own private IP (a managed block), and loopback lines stop claiming those names (a
  # box or Vagrant may map the hostname to 127.0.1.1, which would win over the block).
  # Done from a trigger over the machine's communicator: no provisioner runs.
  module GuestHosts
    module_function

    # Names the guest resolves to its IP: hostname, its first label, aliases.
    def names(lab)
      [lab.hostname, lab.hostname.split('.').first, *lab.aliases].uniq
    end

    # New /etc/hosts text for the guest. Pure.
    def render(text, lab)
      wanted = names(lab).map(&:downcase)
      lines = HostsBlock.split_lines(text).filter_map do |body, line_end|
        fields = body.split(/[ \t]+/).reject(&:empty?)
        next [body, line_end] unless fields.length >= 2 && fields[0].start_with?('127.') &&
                                     fields.drop(1).any? { |f| wanted.include?(f.downcase) }

        kept = fields.drop(1).take_while { |f| !f.start_with?('#') }.reject { |f| wanted.include?(f.downcase) }
        kept.empty? ? nil : ["#{fields[0]}\t#{kept.join(' ')}", line_end]
      end
      HostsBlock.set(HostsBlock.join(lines), lab.lab_id, [HostsBlock.entry(lab.ip, names(lab))])
    end

    def configure(config, lab)
      config.trigger.after %i[up reload provision resume] do |t|
        t.name = 'boxwright: guest name resolution'
        t.ruby { |_env, machine| update(machine, lab) }
      end
    end

    def update(machine, lab)
      return unless HostDns.running?(machine) && machine.communicate.ready?

      current = +''
      machine.communicate.execute('cat /etc/hosts', error_check: false) { |type, data| current << data if type == :stdout }
      wanted = render(current, lab)
      return if wanted == current

      machine.communicate.sudo("echo '#{Base64.strict_encode64(wanted)}' | base64 -d > /etc/hosts")
      machine.ui.info("Boxwright: guest /etc/hosts maps #{names(lab).join(', ')} to #{lab.ip}")
    rescue StandardError => e
      machine.ui.warn("Boxwright: could not update the guest's /etc/hosts (#{e.message}); " \
                      "inside the VM add: #{HostsBlock.entry(lab.ip, names(lab))}")
    end
  end
end
