# frozen_string_literal: true

require_relative 'settings'
require_relative 'machine'
require_relative 'roles'

module Boxwright
  # The machines of the `ha` topology, all booting the same box: two load balancers holding the lab
  # IP as a floating VIP (keepalived), app1..appN (appServers), and a database primary and replica.
  # Each machine gets a role at `up` (Boxwright::Roles); the host and the guests resolve the site's
  # names to the VIP.
  module Topology
    # One machine: name, role, own IP and memory (MiB).
    HaMachine = Struct.new(:name, :role, :ip, :memory, keyword_init: true)

    # Offsets from the VIP's last octet (VIP .10: lb .11/.12, db .21/.22, app1 .31, app2 .32 ...).
    OFFSETS = { 'lb' => 1, 'db' => 11, 'app' => 21 }.freeze
    # Memory of each role: the box boots every service once before its role turns the others off.
    MEMORY = { 'lb' => 512, 'app' => 512, 'db' => 512 }.freeze
    # The highest app server count the address plan leaves room for after a VIP ending in .10.
    MAX_APP_SERVERS = 9

    module_function

    # The machines of the ha lab, in the order Vagrant brings them up (databases first). Pure.
    def machines(lab)
      vip = lab.ip.split('.').map(&:to_i)
      at = ->(offset) { [*vip[0, 3], vip[3] + offset].join('.') }
      list = [
        HaMachine.new(name: 'db1', role: 'db', ip: at.call(OFFSETS['db']), memory: MEMORY['db']),
        HaMachine.new(name: 'db2', role: 'db', ip: at.call(OFFSETS['db'] + 1), memory: MEMORY['db'])
      ]
      (1..lab.app_servers).each do |n|
        list << HaMachine.new(name: "app#{n}", role: 'app', ip: at.call(OFFSETS['app'] + n - 1), memory: MEMORY['app'])
      end
      list << HaMachine.new(name: 'lb1', role: 'lb', ip: at.call(OFFSETS['lb']), memory: MEMORY['lb'])
      list << HaMachine.new(name: 'lb2', role: 'lb', ip: at.call(OFFSETS['lb'] + 1), memory: MEMORY['lb'])
      list
    end

    # What the host and each guest resolve the site's names to: the VIP, under one hosts block.
    def site_node(lab)
      Node.new(name: 'site', hostname: lab.hostname, aliases: lab.aliases, ip: lab.ip, hosts_block_id: lab.hosts_block_id)
    end

    # Whether Vagrant brings the machines up one after the other. Under TCG, six emulated guests
    # booting at once on a few host cores starve each other until systemd's D-Bus calls time out
    # (`hostnamectl set-hostname` failed on lb1 in the ha e2e: "Connection timed out"); one at a
    # time needs no more CPU in total. With KVM they boot in parallel. Pure.
    def one_at_a_time?(lab)
      lab.effective_accelerator == 'tcg'
    end

    # Defines every machine of the ha lab in config.
    def define(config, lab)
      # Read by Vagrant when `up` starts its batch; a VAGRANT_NO_PARALLEL the user set wins.
      ENV['VAGRANT_NO_PARALLEL'] ||= 'yes' if one_at_a_time?(lab)
      all = machines(lab)
      site = site_node(lab)
      all.each do |machine|
        config.vm.define machine.name, primary: machine.name == 'lb1' do |m|
          m.vm.box = lab.box_name
          m.vm.box_url = lab.box_url if lab.box_url
          m.vm.hostname = machine.name
          m.vm.network 'private_network', ip: machine.ip, hostname: true, libvirt__dhcp_enabled: false
          Machine.providers(m, lab, memory: machine.memory, cpus: 1)
          HostDns.configure(m, site)
          GuestHosts.configure(m, site)
          Roles.configure(m, lab, machine, all)
        end
      end
    end
  end
end
