# frozen_string_literal: true

require 'json'

module Boxwright
  # Base of the lab's errors: a Vagrant error when loaded by Vagrant (clean message, exit 1),
  # a plain StandardError when loaded by the test CLI.
  ErrorBase = defined?(Vagrant::Errors::VagrantError) ? Vagrant::Errors::VagrantError : StandardError

  # A lab setting is wrong; the message names the setting, where it came from and the fix.
  class LabSettingsError < ErrorBase
    def initialize(message)
      @boxwright_message = message
      defined?(Vagrant::Errors::VagrantError) && is_a?(Vagrant::Errors::VagrantError) ? super() : super(message)
    end

    def error_message
      @boxwright_message
    end
  end

  # Resolved lab settings. Precedence, highest first:
  #   1. BOXWRIGHT_* environment variables
  #   2. the lab.json named by BOXWRIGHT_LAB
  #   3. lab.json beside the Vagrantfile (the user's settings; see lab.example.json)
  #   4. out/lab.json beside the Vagrantfile (written by `boxwright build`)
  #   5. DEFAULTS
  # The box (name + url/path) is taken as a unit from the first source that names one.
  class Settings
    DEFAULTS = {
      'box_name' => 'foobar-web', 'provider' => 'libvirt', 'hostname' => 'www.foobar.com',
      'aliases' => [], 'ip' => '192.168.56.10', 'cpus' => 2, 'memory' => 1024,
      'accelerator' => 'auto', 'cpu_model' => nil, 'name' => nil
    }.freeze
    PROVIDERS = %w[libvirt virtualbox].freeze
    ACCELERATORS = %w[auto kvm tcg].freeze
    ENV_KEYS = {
      'BOXWRIGHT_BOX' => 'box_name', 'BOXWRIGHT_BOX_URL' => 'box_url', 'BOXWRIGHT_IP' => 'ip',
      'BOXWRIGHT_HOSTNAME' => 'hostname', 'BOXWRIGHT_ALIASES' => 'aliases',
      'BOXWRIGHT_MEMORY' => 'memory', 'BOXWRIGHT_CPUS' => 'cpus', 'BOXWRIGHT_PROVIDER' => 'provider',
      'BOXWRIGHT_ACCELERATOR' => 'accelerator', 'BOXWRIGHT_CPU_MODEL' => 'cpu_model',
      'BOXWRIGHT_LAB_NAME' => 'name'
    }.freeze

    attr_reader :values, :sources

    # dir: folder of the Vagrantfile; env: ENV-like hash; argv: Vagrant's command line.
    def self.load(dir, env = ENV, argv = [])
      new(dir, env, argv)
    end

    def initialize(dir, env, argv)
      @dir = File.expand_path(dir)
      @values = {}
      @sources = {}
      layers = [env_layer(env)]
      layers << file_layer(File.expand_path(env['BOXWRIGHT_LAB'], @dir), required: true) if present?(env['BOXWRIGHT_LAB'])
      layers << file_layer(File.join(@dir, 'lab.json'))
      layers << file_layer(File.join(@dir, 'out', 'lab.json'))
      layers.compact!
      merge(layers)
      cli_provider = provider_from_argv(argv)
      if cli_provider
        @values['provider'] = cli_provider
        @sources['provider'] = '--provider'
      end
      coerce_and_validate
    end

    def [](key)
      @values[key]
    end

    %w[box_name box_url provider hostname aliases ip cpus memory accelerator cpu_model].each do |key|
      define_method(key) { @values[key] }
    end

    # Id of the managed hosts-file blocks: the lab name, else the hostname.
    def lab_id
      (@values['name'] || hostname).gsub(/[^A-Za-z0-9._-]/, '-')
    end

    # Names the host and guest resolve to the IP.
    def names
      [hostname, *aliases].uniq
    end

    # True when the provider was chosen by a setting rather than left at its default.
    def provider_chosen?
      @sources['provider'] != 'default'
    end

    # "kvm" or "tcg": "auto" picks KVM only where /dev/kvm is usable and is not a nested kvm_pvm.
    def effective_accelerator(kvm_device: '/dev/kvm', sys_module: '/sys/module')
      return accelerator unless accelerator == 'auto'

      usable = File.readable?(kvm_device) && File.writable?(kvm_device) &&
               !File.exist?(File.join(sys_module, 'kvm_pvm'))
      usable ? 'kvm' : 'tcg'
    end

    # vagrant-libvirt domain settings for the accelerator: KVM passes the host CPU through unless a
    # model is set; TCG (driver "qemu") needs a custom model, qemu64 by default.
    def libvirt_cpu(**probe)
      accel = effective_accelerator(**probe)
      if accel == 'kvm' && cpu_model.nil?
        { 'driver' => 'kvm', 'cpu_mode' => 'host-passthrough', 'cpu_model' => nil }
      else
        { 'driver' => accel == 'kvm' ? 'kvm' : 'qemu', 'cpu_mode' => 'custom', 'cpu_model' => cpu_model || 'qemu64' }
      end
    end

    def to_h
      @values.merge('lab_id' => lab_id, 'sources' => @sources, 'effective_accelerator' => effective_accelerator,
                    'libvirt' => libvirt_cpu)
    end

    private

    def present?(value)
      !value.nil? && !value.to_s.strip.empty?
    end

    def env_layer(env)
      data = {}
      ENV_KEYS.each { |var, key| data[key] = env[var] if present?(env[var]) }
      data['aliases'] = data['aliases'].split(/[\s,]+/).reject(&:empty?) if data['aliases']
      { 'origin' => 'environment', 'data' => data, 'var' => ENV_KEYS.invert }
    end

    def file_layer(path, required: false)
      unless File.file?(path)
        raise LabSettingsError, "BOXWRIGHT_LAB names #{path}, which does not exist. Fix the path or unset BOXWRIGHT_LAB." if required

        return nil
      end
      raw = begin
        JSON.parse(File.read(path))
      rescue JSON::ParserError => e
        raise LabSettingsError, "#{path} is not valid JSON (#{e.message.lines.first.strip}). Fix or delete it."
      end
      raise LabSettingsError, "#{path} must hold a JSON object." unless raw.is_a?(Hash)

      box = raw['box'].is_a?(Hash) ? raw['box'] : {}
      data = {}
      data['box_name'] = box['name'] if present?(box['name'])
      data['box_url'] = box['url'] if present?(box['url'])
      data['box_url'] = file_url(File.expand_path(box['path'], File.dirname(path))) if !data['box_url'] && present?(box['path'])
      provider = raw['provider'] || box['provider']
      data['provider'] = provider if present?(provider)
      { 'hostname' => 'hostname', 'aliases' => 'aliases', 'ip' => 'ip', 'cpus' => 'cpus',
        'memory' => 'memory', 'accelerator' => 'accelerator', 'cpuModel' => 'cpu_model', 'name' => 'name' }.each do |json_key, key|
        data[key] = raw[json_key] unless raw[json_key].nil?
      end
      { 'origin' => path, 'data' => data }
    end

    def file_url(path)
      path = path.tr('\\', '/')
      path = "/#{path}" unless path.start_with?('/')
      "file://#{path}"
    end

    def merge(layers)
      box_layer = layers.find { |l| l['data'].key?('box_name') || l['data'].key?('box_url') }
      DEFAULTS.each do |key, value|
        @values[key] = value
        @sources[key] = 'default'
      end
      layers.reverse_each do |layer|
        layer['data'].each do |key, value|
          next if %w[box_name box_url].include?(key)

          @values[key] = value
          @sources[key] = source_name(layer, key)
        end
      end
      return unless box_layer

      if box_layer['data']['box_url']
        @values['box_url'] = box_layer['data']['box_url']
        @sources['box_url'] = source_name(box_layer, 'box_url')
      end
      name_layer = layers.drop(layers.index(box_layer)).find { |l| l['data'].key?('box_name') }
      return unless name_layer

      @values['box_name'] = name_layer['data']['box_name']
      @sources['box_name'] = source_name(name_layer, 'box_name')
    end

    def source_name(layer, key)
      layer['var'] ? layer['var'][key] : layer['origin']
    end

    def provider_from_argv(argv)
      argv.each_with_index do |arg, i|
        return arg.split('=', 2)[1] if arg.start_with?('--provider=')
        return argv[i + 1] if arg == '--provider' && argv[i + 1]
      end
      nil
    end

    def fail_setting(key, problem, fix)
      raise LabSettingsError, "Boxwright lab: #{key} #{problem} (from #{@sources[key]}). #{fix}"
    end

    def coerce_and_validate
      %w[cpus memory].each do |key|
        value = @values[key]
        int = value.is_a?(Integer) ? value : (value.to_s =~ /\A\s*\d+\s*\z/ ? value.to_i : nil)
        fail_setting(key, "must be a positive integer, got #{value.inspect}", "Set it to a whole number such as #{DEFAULTS[key]}.") unless int&.positive?
        @values[key] = int
      end
      provider = @values['provider'].to_s
      fail_setting('provider', "is #{provider.inspect}, which is not supported", "Use one of: #{PROVIDERS.join(', ')}.") unless PROVIDERS.include?(provider)
      accel = @values['accelerator'].to_s
      fail_setting('accelerator', "is #{accel.inspect}, which is not known", "Use one of: #{ACCELERATORS.join(', ')}.") unless ACCELERATORS.include?(accel)
      validate_ip
      validate_names
      model = @values['cpu_model']
      fail_setting('cpu_model', "is #{model.inspect}", 'Use a libvirt CPU model name such as qemu64.') if model && model.to_s !~ /\A[A-Za-z0-9_.+-]+\z/
      fail_setting('name', "is #{@values['name'].inspect}", 'Use letters, digits, dots and dashes.') if @values['name'] && @values['name'].to_s !~ /\A[A-Za-z0-9._-]+\z/
    end

    def validate_ip
      ip = @values['ip'].to_s
      octets = ip.split('.', -1)
      well_formed = octets.length == 4 && octets.all? { |o| o =~ /\A(0|[1-9]\d{0,2})\z/ && o.to_i <= 255 }
      fail_setting('ip', "#{ip.inspect} is not an IPv4 address", 'Use four numbers 0-255 separated by dots, e.g. 192.168.56.10.') unless well_formed
      nums = octets.map(&:to_i)
      if nums[3].zero? || nums[3] == 255 || nums[0].zero? || nums[0] == 127 || nums[0] >= 224
        fail_setting('ip', "#{ip} cannot be a VM's address (network, broadcast, loopback or multicast)", 'Pick a host address such as 192.168.56.10.')
      end
      return unless provider == 'virtualbox'
      return if nums[0] == 192 && nums[1] == 168 && (56..63).cover?(nums[2])

      fail_setting('ip', "#{ip} is outside VirtualBox's host-only range 192.168.56.0/21",
                   'Use an address from 192.168.56.1 to 192.168.63.254, or allow the range in /etc/vbox/networks.conf.')
    end

    def validate_names
      hostname = @values['hostname'].to_s
      fail_setting('hostname', "#{hostname.inspect} is not a valid host name (RFC 1123)", 'Use dot-separated labels of letters, digits and inner dashes, e.g. www.foobar.com.') unless self.class.valid_hostname?(hostname)
      @values['hostname'] = hostname.downcase
      aliases = @values['aliases']
      fail_setting('aliases', 'must be a list of host names', 'Write e.g. ["foobar.com"].') unless aliases.is_a?(Array)
      bad = aliases.reject { |a| self.class.valid_hostname?(a.to_s) }
      fail_setting('aliases', "hold invalid host names #{bad.inspect} (RFC 1123)", 'Use names like foobar.com.') unless bad.empty?
      @values['aliases'] = aliases.map { |a| a.to_s.downcase }
    end

    # RFC 1123 host name: labels of 1-63 letters, digits and inner dashes, 253 characters at most,
    # not all-numeric in the last label (so it cannot be mistaken for an IP address).
    def self.valid_hostname?(name)
      return false if name.empty? || name.length > 253

      labels = name.split('.', -1)
      labels.all? { |l| l =~ /\A[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\z/ } && labels.last !~ /\A\d+\z/
    end
  end
end
