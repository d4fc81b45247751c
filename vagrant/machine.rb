# frozen_string_literal: true

require_relative 'host_dns'
require_relative 'guest_hosts'
require_relative 'ready'

module Boxwright
  # Defines one lab machine from the resolved settings (lab) and its node (name, names, IP, block id):
  # the box, hostname, static private IP, provider resources, the host and guest name resolution,
  # and the wait for the site to answer.
  module Machine
    module_function

    def define(config, lab, node, primary: true)
      config.vm.define node.name, primary: primary do |m|
        m.vm.box = lab.box_name
        m.vm.box_url = lab.box_url if lab.box_url
        m.vm.hostname = node.hostname
        m.vm.network 'private_network', ip: node.ip, hostname: true, libvirt__dhcp_enabled: false
        providers(m, lab)
        HostDns.configure(m, node)
        GuestHosts.configure(m, node)
        Ready.configure(m, node) # after the guest's names: `up` returns with the site answering
      end
    end

    # The first provider declared is Vagrant's default when no --provider is given.
    # memory/cpus: a machine's own (ha roles), else the lab's.
    def providers(m, lab, memory: lab.memory, cpus: lab.cpus)
      libvirt = lambda do
        m.vm.provider 'libvirt' do |lv|
          cpu = lab.libvirt_cpu
          lv.driver = cpu['driver']
          lv.cpu_mode = cpu['cpu_mode']
          lv.cpu_model = cpu['cpu_model'] if cpu['cpu_model']
          lv.memory = memory
          lv.cpus = cpus
        end
      end
      virtualbox = lambda do
        m.vm.provider 'virtualbox' do |vb|
          vb.memory = memory
          vb.cpus = cpus
        end
      end
      (lab.provider == 'virtualbox' ? [virtualbox, libvirt] : [libvirt, virtualbox]).each(&:call)
    end
  end
end
