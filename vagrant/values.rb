# frozen_string_literal: true

module Boxwright
  # The value rules the lab checks for settings that do not come from the build's lab.json
  # (environment variables, a hand-written lab.json). The image spec's rules (lib/image/values.ts)
  # give the same verdicts: both are tested against test/fixtures/values/cases.json.
  # Each *_problem method returns nil for a good value, else a short reason ("is reserved", ...).
  module Values
    # Names a default hosts file maps to loopback or multicast addresses (and RFC 6761's localhost);
    # anything under .localhost is refused too (lib/image/values.ts RESERVED_HOSTNAMES).
    RESERVED_HOSTNAMES = %w[
      localhost localhost.localdomain localhost4 localhost4.localdomain4 localhost6 localhost6.localdomain6
      ip6-localhost ip6-loopback ip6-localnet ip6-mcastprefix ip6-allnodes ip6-allrouters ip6-allhosts
      broadcasthost
    ].freeze
    LABEL = /\A[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\z/.freeze
    LAB_NAME = /\A[A-Za-z0-9][A-Za-z0-9._-]{0,62}\z/.freeze
    # What ipv4_problem says of a value that is not a dotted quad at all.
    NOT_IPV4 = 'is not an IPv4 address (four numbers 0-255 without leading zeros)'
    # Linux refuses a hostname longer than this (HOST_NAME_MAX).
    VM_HOSTNAME_MAX = 64

    module_function

    # RFC 1123 host name: at most 253 characters, labels of 1-63 letters, digits and inner dashes;
    # not all-numeric in its last label (it would read as an address); not a loopback name.
    def hostname_problem(value)
      return 'is not a string' unless value.is_a?(String)
      return 'is empty' if value.empty?
      return 'is longer than 253 characters' if value.length > 253

      labels = value.split('.', -1)
      return 'has a label that is not 1-63 letters, digits and inner dashes' unless labels.all? { |l| l.match?(LABEL) }
      return 'ends in an all-numeric label, so it reads as an address' if labels.last.match?(/\A\d+\z/)
      return 'is reserved for loopback' if reserved_hostname?(value)

      nil
    end

    # A hostname the VM itself takes: also at most 64 characters.
    def vm_hostname_problem(value)
      hostname_problem(value) || (value.length > VM_HOSTNAME_MAX ? "is longer than #{VM_HOSTNAME_MAX} characters, the most a VM hostname may have" : nil)
    end

    # A RESERVED_HOSTNAMES name or one under .localhost (RFC 6761), in any case.
    def reserved_hostname?(value)
      name = value.downcase
      RESERVED_HOSTNAMES.include?(name) || name.end_with?('.localhost')
    end

    # A VM's own IPv4 address: a dotted quad without leading zeros, not the network or broadcast
    # address of its /24, not 0.0.0.0/8, loopback, link-local, multicast or reserved (224 and up).
    def ipv4_problem(value)
      return 'is not a string' unless value.is_a?(String)

      octets = value.split('.', -1)
      unless octets.length == 4 && octets.all? { |o| o.match?(/\A(?:0|[1-9]\d{0,2})\z/) && o.to_i <= 255 }
        return NOT_IPV4
      end

      a, b, _c, d = octets.map(&:to_i)
      return 'is the network address of its /24' if d.zero?
      return 'is the broadcast address of its /24' if d == 255
      return 'is in 0.0.0.0/8, which is not a host address' if a.zero?
      return 'is a loopback address' if a == 127
      return 'is a link-local address' if a == 169 && b == 254
      return 'is a multicast or reserved address' if a >= 224

      nil
    end

    # TCP port 1-65535: an Integer, or its decimal text (as from an environment variable).
    def port_problem(value)
      number = case value
               when Integer then value
               when String then value.match?(/\A[1-9]\d{0,4}\z/) ? value.to_i : nil
               end
      return 'is not a whole number' if number.nil?
      return 'is not in 1-65535' unless (1..65_535).cover?(number)

      nil
    end

    # Lab name (part of the hosts-file block id): 1-63 letters, digits, dots, dashes, underscores,
    # starting with a letter or digit.
    def lab_name_problem(value)
      return 'is not a string' unless value.is_a?(String)
      return nil if value.match?(LAB_NAME)

      'is not 1-63 letters, digits, dots, dashes or underscores starting with a letter or digit'
    end

    # The rule of each kind in test/fixtures/values/cases.json.
    KINDS = {
      'hostname' => method(:hostname_problem), 'vmHostname' => method(:vm_hostname_problem), 'ipv4' => method(:ipv4_problem),
      'port' => method(:port_problem), 'labName' => method(:lab_name_problem)
    }.freeze
  end
end
