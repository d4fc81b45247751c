# frozen_string_literal: true

require_relative 'hosts_block'

module Boxwright
  # Host-side name resolution for the lab: a managed block in the host's hosts file, or a hosts
  # plugin when one is installed. Never fails a Vagrant command: when the file cannot be written,
  # it prints the line to add (or remove) by hand.
  module HostDns
    PLUGINS = %w[vagrant-goodhosts vagrant-hostmanager vagrant-hostsupdater].freeze

    module_function

    # Hosts file to edit: BOXWRIGHT_HOSTS_FILE, else the platform's.
    def hosts_file(env = ENV)
      return env['BOXWRIGHT_HOSTS_FILE'] unless env['BOXWRIGHT_HOSTS_FILE'].to_s.empty?

      if Gem.win_platform?
        File.join(env['SystemRoot'] || env['windir'] || 'C:/Windows', 'System32', 'drivers', 'etc', 'hosts')
      else
        '/etc/hosts'
      end
    end

    # First installed hosts plugin, or nil. BOXWRIGHT_HOSTS_PLUGIN=none ignores plugins.
    def plugin(env = ENV)
      return nil if env['BOXWRIGHT_HOSTS_PLUGIN'] == 'none'
      return nil unless defined?(Vagrant) && Vagrant.respond_to?(:has_plugin?)

      PLUGINS.find { |name| Vagrant.has_plugin?(name) }
    end

    # Wires host name resolution into config: a plugin's settings, or the managed-block triggers.
    # BOXWRIGHT_MANAGE_HOSTS=0 turns host-side handling off.
    def configure(config, lab, env = ENV)
      return if env['BOXWRIGHT_MANAGE_HOSTS'] == '0'

      case plugin(env)
      when 'vagrant-goodhosts' then config.goodhosts.aliases = lab.aliases
      when 'vagrant-hostsupdater' then config.hostsupdater.aliases = lab.aliases
      when 'vagrant-hostmanager'
        config.hostmanager.enabled = true
        config.hostmanager.manage_host = true
        config.hostmanager.manage_guest = false
        config.hostmanager.aliases = lab.aliases
      else configure_triggers(config, lab, env)
      end
    end

    def configure_triggers(config, lab, env)
      path = hosts_file(env)
      config.trigger.after %i[up reload provision resume] do |t|
        t.name = 'boxwright: host name resolution'
        t.ruby { |_env, machine| add(machine, lab, path) if running?(machine) }
      end
      config.trigger.after %i[halt destroy suspend] do |t|
        t.name = 'boxwright: host name resolution clean-up'
        t.ruby { |_env, machine| remove(machine, lab, path) unless running?(machine) }
      end
    end

    # The provider's own state: Machine#state also updates Vagrant's machine index, whose entry
    # can still be locked by the running `up` (seen as "the machine is locked" in a trigger).
    def running?(machine)
      machine.provider.state.id == :running
    end

    def entry(lab)
      HostsBlock.entry(lab.ip, lab.names)
    end

    def add(machine, lab, path)
      update_file(machine.ui, path) { |text| HostsBlock.set(text, lab.lab_id, [entry(lab)]) } ||
        machine.ui.warn("Boxwright: cannot write #{path}. To reach the VM by name, add this line to it by hand:\n" \
                        "  #{entry(lab)}")
    end

    def remove(machine, lab, path)
      return unless File.exist?(path)

      update_file(machine.ui, path) { |text| HostsBlock.remove(text, lab.lab_id) } ||
        machine.ui.warn("Boxwright: cannot write #{path}. Remove this line from it by hand:\n  #{entry(lab)}")
    end

    # Rewrites path in place (keeping its inode: it may be a bind mount) when the block changes.
    # Returns false when the file cannot be read or written, true otherwise.
    def update_file(ui, path)
      text = File.exist?(path) ? File.binread(path) : ''.b
      updated = yield(text).b
      return true if updated == text
      return false unless File.exist?(path) ? File.writable?(path) : File.writable?(File.dirname(path))

      File.open(path, File.exist?(path) ? 'r+b' : 'wb') do |f|
        f.write(updated)
        f.flush
        f.truncate(updated.bytesize)
      end
      ui.info("Boxwright: updated #{path}")
      true
    rescue ArgumentError => e
      ui.warn("Boxwright: #{path}: #{e.message}")
      false
    rescue SystemCallError
      false
    end
  end
end
