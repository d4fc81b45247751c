# frozen_string_literal: true

# Test driver for the lab's Ruby helpers, so they can be checked without booting a VM.
#   ruby vagrant/cli.rb settings DIR [ARGS]          lab settings for the Vagrantfile in DIR (BOXWRIGHT_* env)
#   ruby vagrant/cli.rb host-file add|remove|check DIR   BOXWRIGHT_HOSTS_FILE as the triggers edit (check: before up)
#   ruby vagrant/cli.rb hosts-blocks FILE PREFIX COUNT [START_MS]
#                                                    writes COUNT blocks PREFIX-1.. into FILE as the host trigger
#                                                    does, starting at epoch START_MS (to race another process)
#   ruby vagrant/cli.rb guest-hosts DIR              stdin guest /etc/hosts -> stdout, as the guest trigger writes it
#   ruby vagrant/cli.rb topology DIR                 the ha machines and their role documents (secrets as their
#                                                    lengths); makes the lab's secrets as the first `up` does
# Settings errors and refusals exit 2 with the message on stderr.
require 'json'
require_relative 'settings'
require_relative 'hosts_block'
require_relative 'host_dns'
require_relative 'guest_hosts'
require_relative 'topology'

# Minimal stand-ins for Vagrant's machine and UI.
FakeUi = Struct.new(:out) do
  def info(msg)
    out.puts(msg)
  end

  def warn(msg)
    out.puts(msg)
  end
end
FakeMachine = Struct.new(:ui)

def host_file(action, dir)
  node = Boxwright::Settings.load(dir || Dir.pwd, ENV, []).nodes.first
  machine = FakeMachine.new(FakeUi.new($stdout))
  path = Boxwright::HostDns.hosts_file(ENV)
  case action
  when 'add' then Boxwright::HostDns.add(machine, node, path)
  when 'remove' then Boxwright::HostDns.remove(machine, node, path)
  when 'check' then Boxwright::HostDns.check!(node, path)
  end
end

def hosts_blocks(path, prefix, count, start_ms)
  sleep([(start_ms.to_i / 1000.0) - Time.now.to_f, 0].max) if start_ms
  ui = FakeUi.new(File.open(File::NULL, 'w'))
  (1..count.to_i).each do |i|
    ok = Boxwright::HostDns.update_file(ui, path) do |text|
      Boxwright::HostsBlock.set(text, "#{prefix}-#{i}", ["10.1.#{i % 250}.1 #{prefix}-#{i}.test"])
    end
    abort "could not write #{path}" unless ok
  end
end

begin
  command, *rest = ARGV
  case command
  when 'settings'
    puts JSON.generate(Boxwright::Settings.load(rest[0] || Dir.pwd, ENV, rest.drop(1)).to_h)
  when 'host-file' then host_file(rest[0], rest[1])
  when 'hosts-blocks' then hosts_blocks(*rest)
  when 'guest-hosts'
    node = Boxwright::Settings.load(rest[0] || Dir.pwd, ENV, []).nodes.first
    $stdout.write(Boxwright::GuestHosts.render($stdin.read, node))
  when 'topology'
    lab = Boxwright::Settings.load(rest[0] || Dir.pwd, ENV, [])
    all = Boxwright::Topology.machines(lab)
    secrets = Boxwright::Roles.secrets(lab.dir)
    docs = all.map do |m|
      Boxwright::Roles.document(lab, m, all, secrets, Boxwright::Roles.primary(lab.dir))
                      .merge('secrets' => secrets.transform_values(&:length))
    end
    puts JSON.generate('machines' => all.map(&:to_h), 'documents' => docs, 'oneAtATime' => Boxwright::Topology.one_at_a_time?(lab))
  else
    warn 'usage: ruby vagrant/cli.rb settings DIR | host-file add|remove|check DIR | hosts-blocks FILE PREFIX COUNT | guest-hosts DIR | topology DIR'
    exit 2
  end
rescue Boxwright::LabSettingsError => e
  warn e.message
  exit 2
end
