# frozen_string_literal: true

require_relative 'hosts_block'
require_relative 'settings'

module Boxwright
  # A name of the lab is already mapped to another address in the host's hosts file.
  class HostsConflictError < LabSettingsError; end

  # Host-side name resolution for the lab: a managed block in the host's hosts file, or a hosts
  # plugin when one is installed. Before `up`/`reload` it refuses names that the hosts file already
  # maps to another address (the first line wins, so the lab would not be reached by name). Writes
  # hold an exclusive flock on the hosts file and re-read it under the lock, so labs coming up
  # together never lose each other's block. When the file cannot be written, it prints the line to
  # add (or remove) by hand and carries on.
  module HostDns
    PLUGINS = %w[vagrant-goodhosts vagrant-hostmanager vagrant-hostsupdater].freeze
    # Seconds to wait for another process's lock on the hosts file.
    LOCK_TIMEOUT = 30

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

    # Wires host name resolution of one machine (node) into its config: a plugin's settings, or the
    # managed-block triggers. BOXWRIGHT_MANAGE_HOSTS=0 turns host-side handling off.
    def configure(config, node, env = ENV)
      return if env['BOXWRIGHT_MANAGE_HOSTS'] == '0'

      case plugin(env)
      when 'vagrant-goodhosts' then config.goodhosts.aliases = node.aliases
      when 'vagrant-hostsupdater' then config.hostsupdater.aliases = node.aliases
      when 'vagrant-hostmanager'
        config.hostmanager.enabled = true
        config.hostmanager.manage_host = true
        config.hostmanager.manage_guest = false
        config.hostmanager.aliases = node.aliases
      else configure_triggers(config, node, env)
      end
    end

    def configure_triggers(config, node, env)
      path = hosts_file(env)
      config.trigger.before %i[up reload] do |t|
        t.name = 'boxwright: host names free'
        t.ruby { |_env, _machine| check!(node, path) }
      end
      config.trigger.after %i[up reload provision resume] do |t|
        t.name = 'boxwright: host name resolution'
        t.ruby { |_env, machine| add(machine, node, path) if running?(machine) }
      end
      config.trigger.after %i[halt destroy suspend] do |t|
        t.name = 'boxwright: host name resolution clean-up'
        t.ruby { |_env, machine| remove(machine, node, path) unless running?(machine) }
      end
    end

    # The provider's own state: Machine#state also updates Vagrant's machine index, whose entry
    # can still be locked by the running `up` (seen as "the machine is locked" in a trigger).
    def running?(machine)
      machine.provider.state.id == :running
    end

    def entry(node)
      HostsBlock.entry(node.ip, node.names)
    end

    # Lines outside the node's own block that map one of its names to another address:
    # [{ 'line' => 1-based number, 'text' =>, 'name' =>, 'address' =>, 'block' => id or nil }].
    def conflicts(text, node)
      wanted = node.names.map(&:downcase)
      own = false
      block = nil
      found = []
      HostsBlock.split_lines(text).each_with_index do |(body, _), i|
        if (m = body.match(/\A# BEGIN boxwright (\S+)\z/))
          block = m[1]
          own = block == node.hosts_block_id
        elsif body.match?(/\A# END boxwright \S+\z/)
          block = nil
          own = false
        end
        next if own

        address, *names = body.sub(/#.*/, '').split(/[ \t]+/).reject(&:empty?)
        next if address.nil? || address == node.ip

        names.each do |name|
          found << { 'line' => i + 1, 'text' => body, 'name' => name.downcase, 'address' => address, 'block' => block } if wanted.include?(name.downcase)
        end
      end
      found
    end

    def conflict_message(path, node, conflict)
      owner = conflict['block'] ? " (in the block of lab #{conflict['block']})" : ''
      "#{conflict['name']} is already mapped to #{conflict['address']} by #{path} line #{conflict['line']}: " \
        "#{conflict['text'].strip.inspect}#{owner}; this lab maps it to #{node.ip}, and the first line wins"
    end

    # Refuses (HostsConflictError) when the hosts file maps a name of node to another address.
    def check!(node, path)
      return unless File.file?(path) && File.readable?(path)

      found = conflicts(File.binread(path).force_encoding('UTF-8').scrub, node)
      return if found.empty?

      raise HostsConflictError, "Boxwright: #{found.map { |c| conflict_message(path, node, c) }.join(".\n")}.\n" \
                                'Remove that line (or `vagrant destroy` the lab that owns the block), or give this lab another ' \
                                'hostname or IP (BOXWRIGHT_HOSTNAME, BOXWRIGHT_IP); BOXWRIGHT_MANAGE_HOSTS=0 leaves the hosts file alone.'
    end

    def add(machine, node, path)
      written = update_file(machine.ui, path) do |text|
        conflicts(text.dup.force_encoding('UTF-8').scrub, node).each { |c| machine.ui.warn("Boxwright: #{conflict_message(path, node, c)}.") }
        HostsBlock.set(text, node.hosts_block_id, [entry(node)])
      end
      written || machine.ui.warn("Boxwright: cannot write #{path}. To reach the VM by name, add this line to it by hand:\n" \
                                 "  #{entry(node)}")
    end

    def remove(machine, node, path)
      return unless File.exist?(path)

      update_file(machine.ui, path) { |text| HostsBlock.remove(text, node.hosts_block_id) } ||
        machine.ui.warn("Boxwright: cannot write #{path}. Remove this line from it by hand:\n  #{entry(node)}")
    end

    # Rewrites path in place (keeping its inode: it may be a bind mount) with what the block makes of
    # its current text, read under an exclusive flock of the file itself. Returns false when the file
    # cannot be read, locked or written, true otherwise.
    def update_file(ui, path, timeout: LOCK_TIMEOUT)
      return false unless File.exist?(path) ? File.writable?(path) : File.writable?(File.dirname(path))

      result = with_locked_file(path, timeout) do |f|
        text = f.read
        updated = yield(text).b
        next true if updated == text

        f.rewind
        f.write(updated)
        f.flush
        f.truncate(updated.bytesize)
        ui.info("Boxwright: updated #{path}")
        true
      end
      ui.warn("Boxwright: #{path} stayed locked by another process for #{timeout} s.") if result.nil?
      result || false
    rescue ArgumentError => e
      ui.warn("Boxwright: #{path}: #{e.message}")
      false
    rescue SystemCallError
      false
    end

    # Opens path (creating it), takes an exclusive flock on it and yields the File in binary mode.
    # Reopens when the path was replaced by another file while waiting. nil after timeout seconds.
    def with_locked_file(path, timeout)
      deadline = Time.now + timeout
      loop do
        File.open(path, File::RDWR | File::CREAT | File::BINARY, 0o644) do |f|
          until f.flock(File::LOCK_EX | File::LOCK_NB)
            return nil if Time.now > deadline

            sleep 0.02
          end
          return yield(f) if same_file?(f, path)
        end
      end
    end

    def same_file?(file, path)
      a = file.stat
      b = File.stat(path)
      a.dev == b.dev && a.ino == b.ino
    rescue SystemCallError
      false
    end
  end
end
