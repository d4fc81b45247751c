# frozen_string_literal: true

module Boxwright
  # The lab's fallback for accelerator "auto" when no build's lab.json supplies a resolved one.
  # The build resolves it with lib/builder/choices.ts (chooseAccelerator); both follow
  # test/fixtures/values/accelerator.json.
  module Accelerator
    CHOICES = %w[auto kvm tcg].freeze
    # libvirt CPU model under TCG when none is set (qemu's -cpu host/max abort on nested KVM hosts).
    TCG_CPU_MODEL = 'qemu64'

    module_function

    # What this host offers: a read-writable /dev/kvm, and whether its KVM is a nested kvm_pvm
    # (which cannot boot a 64-bit Linux guest).
    def host_facts(kvm_device: '/dev/kvm', sys_module: '/sys/module')
      { kvm_device: File.readable?(kvm_device) && File.writable?(kvm_device),
        nested_pvm: File.exist?(File.join(sys_module, 'kvm_pvm')) }
    end

    # "kvm" or "tcg": auto picks KVM only where it can boot a guest.
    def choose(requested, kvm_device:, nested_pvm:)
      return requested unless requested == 'auto'

      kvm_device && !nested_pvm ? 'kvm' : 'tcg'
    end

    # CPU model for an accelerator when none is set: nil under KVM (the host CPU is passed through).
    def default_cpu_model(accelerator)
      accelerator == 'tcg' ? TCG_CPU_MODEL : nil
    end
  end
end
