# frozen_string_literal: true

# Test driver for the lab's Ruby helpers, so they can be checked without booting a VM.
#   ruby vagrant/cli.rb hosts-block            stdin {"cases":[{input, op, id, entries}]} -> JSON results
#   ruby vagrant/cli.rb settings DIR [ARGS]    lab settings for the Vagrantfile in DIR (BOXWRIGHT_* env)
#   ruby vagrant/cli.rb host-file add|remove DIR   edit BOXWRIGHT_HOSTS_FILE as the triggers do
#   ruby vagrant/cli.rb guest-hosts DIR        stdin guest /etc/hosts -> stdout, as the guest trigger writes it
# Settings errors exit 2 with the message on stderr.
require 'json'
require_relative 'settings'
require_relative 'hosts_block'
require_relative 'host_dns'
require_relative 'guest_hosts'

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

def hosts_block_cases(cases)
  cases.map do |c|
    output = if c['op'] == 'set'
               Boxwright::HostsBlock.set(c['input'], c['id'], c['entries'])
             else
               Boxwright::HostsBlock.remove(c['input'], c['id'])
             end
    { 'output' => output }
  rescue ArgumentError => e
    { 'error' => e.message }
  end
end

begin
  command, *rest = ARGV
  case command
  when 'hosts-block'
    puts JSON.generate(hosts_block_cases(JSON.parse($stdin.read).fetch('cases')))
  when 'settings'
    puts JSON.generate(Boxwright::Settings.load(rest[0] || Dir.pwd, ENV, rest.drop(1)).to_h)
  when 'host-file'
    lab = Boxwright::Settings.load(rest[1] || Dir.pwd, ENV, [])
    machine = FakeMachine.new(FakeUi.new($stdout))
    path = Boxwright::HostDns.hosts_file(ENV)
    rest[0] == 'add' ? Boxwright::HostDns.add(machine, lab, path) : Boxwright::HostDns.remove(machine, lab, path)
  when 'guest-hosts'
    lab = Boxwright::Settings.load(rest[0] || Dir.pwd, ENV, [])
    $stdout.write(Boxwright::GuestHosts.render($stdin.read, lab))
  else
    warn 'usage: ruby vagrant/cli.rb hosts-block | settings DIR | host-file add|remove DIR | guest-hosts DIR'
    exit 2
  end
rescue Boxwright::LabSettingsError => e
  warn e.message
  exit 2
end
