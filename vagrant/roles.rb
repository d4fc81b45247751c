# frozen_string_literal: true

require 'fileutils'
require 'json'
require 'open3'
require 'securerandom'
require_relative 'settings'
require_relative 'host_dns'

module Boxwright
  # Applying a role to a machine of the ha lab failed; the message says what the machine answered.
  class RoleError < LabSettingsError; end

  # The role of each ha machine, handed over after `up` as JSON on the stdin of
  # `ssh <machine> sudo /usr/local/sbin/boxwright-role apply` (provisioners/files/roles/): the
  # role, the machine's peers, the VIP and the lab's secrets. The secrets are made on the host at
  # the first `up` (.vagrant/boxwright/secrets.json, 0600) and never appear in argv, a log or the box;
  # `vagrant destroy` of the last machine removes them.
  module Roles
    SECRET_NAMES = %w[appDb replication vrrp].freeze
    SECRET = /\A[A-Za-z0-9_-]{32,}\z/.freeze
    PROGRAM = '/usr/local/sbin/boxwright-role'

    module_function

    def state_dir(dir)
      File.join(dir, '.vagrant', 'boxwright')
    end

    # The lab's secrets, made once (under an exclusive lock: machines come up in parallel).
    def secrets(dir)
      path = File.join(state_dir(dir), 'secrets.json')
      FileUtils.mkdir_p(state_dir(dir), mode: 0o700)
      File.open(path, File::RDWR | File::CREAT, 0o600) do |f|
        f.flock(File::LOCK_EX)
        text = f.read
        data = begin
          text.empty? ? {} : JSON.parse(text)
        rescue JSON::ParserError
          {}
        end
        missing = SECRET_NAMES.reject { |k| data[k].is_a?(String) && data[k].match?(SECRET) }
        unless missing.empty?
          missing.each { |k| data[k] = SecureRandom.urlsafe_base64(30) }
          f.rewind
          f.write(JSON.generate(data))
          f.flush
          f.truncate(f.pos)
        end
        f.chmod(0o600)
        data.slice(*SECRET_NAMES)
      end
    end

    # The database machine the app servers write to: db1, or the one `boxwright db-promote` chose.
    def primary(dir)
      path = File.join(state_dir(dir), 'state.json')
      name = File.file?(path) ? JSON.parse(File.read(path))['primary'] : nil
      name.is_a?(String) && name.match?(/\Adb\d+\z/) ? name : 'db1'
    rescue JSON::ParserError
      'db1'
    end

    # The role document of one machine. Pure (secrets and primary passed in).
    def document(lab, machine, all, secrets, primary)
      pick = ->(role) { all.select { |m| m.role == role }.map { |m| { 'name' => m.name, 'ip' => m.ip } } }
      { 'role' => machine.role, 'name' => machine.name, 'ip' => machine.ip, 'vip' => lab.ip,
        'lbs' => pick.call('lb'), 'apps' => pick.call('app'), 'dbs' => pick.call('db'),
        'primary' => primary, 'secrets' => secrets }
    end

    def configure(config, lab, machine, all)
      config.trigger.after %i[up reload provision resume] do |t|
        t.name = "boxwright: #{machine.role} role"
        t.ruby { |_env, vm| apply(vm, lab, machine, all) if HostDns.running?(vm) }
      end
      config.trigger.after :destroy do |t|
        t.name = 'boxwright: lab secrets clean-up'
        t.ruby { |_env, _vm| forget(lab.dir) }
      end
    end

    # ssh argv for a machine from Vagrant's own SSH info (no secret in it).
    def ssh_command(info, *remote)
      keys = Array(info[:private_key_path]).flat_map { |k| ['-i', k] }
      ['ssh', *keys, '-p', info[:port].to_s, '-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null',
       '-o', 'BatchMode=yes', '-o', 'LogLevel=ERROR', '-o', 'ConnectTimeout=20', "#{info[:username]}@#{info[:host]}", *remote]
    end

    def apply(vm, lab, machine, all)
      doc = document(lab, machine, all, secrets(lab.dir), primary(lab.dir))
      info = vm.ssh_info or raise RoleError, "Boxwright: #{machine.name} has no SSH info yet; run `vagrant up #{machine.name}` again."
      _out, err, status = Open3.capture3(*ssh_command(info, 'sudo', '-n', PROGRAM, 'apply'), stdin_data: JSON.generate(doc))
      unless status.success?
        raise RoleError, "Boxwright: the #{machine.role} role could not be applied to #{machine.name}: #{err.strip.lines.last(5).join}" \
                         "Run `vagrant up #{machine.name}` again; if it persists, `vagrant ssh #{machine.name} -c 'sudo #{PROGRAM} status'`."
      end
      vm.ui.info("Boxwright: #{machine.name} is a #{machine.role} machine (#{machine.ip})")
    end

    # Removes the lab's secrets and state once no machine of the lab is left.
    def forget(dir)
      left = Dir.glob(File.join(dir, '.vagrant', 'machines', '*', '*', 'id')).reject { |f| File.zero?(f) }
      FileUtils.rm_rf(state_dir(dir)) if left.empty?
    end
  end
end
