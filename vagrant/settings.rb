# frozen_string_literal: true

require 'digest'
require 'json'
require_relative 'values'
require_relative 'accelerator'

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

  # One machine of the lab: its Vagrant name, the names it answers to, its IP and the id of its
  # managed hosts-file blocks.
  Node = Struct.new(:name, :hostname, :aliases, :ip, :hosts_block_id, keyword_init: true) do
    # Names the host resolves to the IP.
    def names
      [hostname, *aliases].uniq
    end
  end

  # Resolved lab settings. Precedence, highest first:
  #   1. BOXWRIGHT_* environment variables
  #   2. the lab.json named by BOXWRIGHT_LAB
  #   3. lab.json beside the Vagrantfile (the user's settings; see lab.example.json)
  #   4. out/lab.json beside the Vagrantfile (written by `boxwright build`: resolved values)
  #   5. DEFAULTS
  # The box (name + url/path) is taken as a unit from the first source that names one; so are the
  # accelerator and CPU model (a CPU model resolved for TCG is not kept under an env-chosen KVM).
  # Values from a build's lab.json are used as written: the accelerator there is already "kvm" or
  # "tcg"; only "auto" from another source is decided here (Boxwright::Accelerator).
  class Settings
    DEFAULTS = {
      'box_name' => 'foobar-web', 'provider' => 'libvirt', 'hostname' => 'www.foobar.com',
      'aliases' => [], 'ip' => '192.168.56.10', 'cpus' => 2, 'memory' => 1024,
      'accelerator' => 'auto', 'cpu_model' => nil, 'name' => nil, 'topology' => 'single', 'app_servers' => 2
    }.freeze
    PROVIDERS = %w[libvirt virtualbox].freeze
    # single: one machine with the whole stack; ha: lb1, lb2, app1..appN, db1, db2 (vagrant/topology.rb).
    TOPOLOGIES = %w[single ha].freeze
    # App servers the ha address plan leaves room for (vagrant/topology.rb).
    APP_SERVERS = (1..9).freeze
    # Newest lab.json format this Vagrantfile reads (lib/lab/lab-file.ts LAB_FILE_FORMAT).
    LAB_FILE_FORMAT = 2
    ENV_KEYS = {
      'BOXWRIGHT_BOX' => 'box_name', 'BOXWRIGHT_BOX_URL' => 'box_url', 'BOXWRIGHT_IP' => 'ip',
      'BOXWRIGHT_HOSTNAME' => 'hostname', 'BOXWRIGHT_ALIASES' => 'aliases',
      'BOXWRIGHT_MEMORY' => 'memory', 'BOXWRIGHT_CPUS' => 'cpus', 'BOXWRIGHT_PROVIDER' => 'provider',
      'BOXWRIGHT_ACCELERATOR' => 'accelerator', 'BOXWRIGHT_CPU_MODEL' => 'cpu_model',
      'BOXWRIGHT_LAB_NAME' => 'name', 'BOXWRIGHT_TOPOLOGY' => 'topology', 'BOXWRIGHT_APP_SERVERS' => 'app_servers'
    }.freeze
    FILE_KEYS = {
      'hostname' => 'hostname', 'aliases' => 'aliases', 'ip' => 'ip', 'cpus' => 'cpus', 'memory' => 'memory',
      'accelerator' => 'accelerator', 'cpuModel' => 'cpu_model', 'name' => 'name',
      'topology' => 'topology', 'appServers' => 'app_servers'
    }.freeze
    UNITS = [%w[box_url box_name], %w[cpu_model accelerator]].freeze

    attr_reader :values, :sources, :dir

    # dir: folder of the Vagrantfile; env: ENV-like hash; argv: Vagrant's command line;
    # host: host facts for "auto" (Accelerator.host_facts when nil).
    def self.load(dir, env = ENV, argv = [], host: nil)
      new(dir, env, argv, host)
    end

    def initialize(dir, env, argv, host)
      @dir = File.expand_path(dir)
      @host = host
      @values = {}
      @sources = {}
      layers = [env_layer(env)]
      layers << file_layer(File.expand_path(env['BOXWRIGHT_LAB'], @dir), required: true) if present?(env['BOXWRIGHT_LAB'])
      layers << file_layer(File.join(@dir, 'lab.json'))
      layers << file_layer(File.join(@dir, 'out', 'lab.json'))
      merge(layers.compact)
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

    %w[box_name box_url provider hostname aliases ip cpus memory accelerator cpu_model topology app_servers].each do |key|
      define_method(key) { @values[key] }
    end

    # Short hash of the lab's folder (the Vagrantfile's, where Vagrant keeps .vagrant/): two labs
    # with the same names never share a hosts-file block.
    def folder_hash
      @folder_hash ||= Digest::SHA256.hexdigest(File.realpath(@dir))[0, 8]
    end

    # Id of a machine's managed hosts-file blocks: "<lab name or hostname>[-<machine>]@<folder hash>".
    def hosts_block_id(machine = nil)
      "#{[@values['name'] || hostname, machine].compact.join('-')}@#{folder_hash}"
    end

    # The machines of the lab (one: "default", Vagrant's own name for a single machine).
    def nodes
      [Node.new(name: 'default', hostname: hostname, aliases: aliases, ip: ip, hosts_block_id: hosts_block_id)]
    end

    # True when the provider was chosen by a setting rather than left at its default.
    def provider_chosen?
      @sources['provider'] != 'default'
    end

    # "kvm" or "tcg": as set, or for "auto" what this host can run.
    def effective_accelerator
      @effective_accelerator ||= Accelerator.choose(accelerator, **(@host || Accelerator.host_facts))
    end

    # The CPU model as set, else the accelerator's default (nil: host CPU passed through).
    def effective_cpu_model
      cpu_model || Accelerator.default_cpu_model(effective_accelerator)
    end

    # vagrant-libvirt domain settings: KVM passes the host CPU through unless a model is set; TCG
    # (driver "qemu") runs a custom model.
    def libvirt_cpu
      model = effective_cpu_model
      if effective_accelerator == 'kvm' && model.nil?
        { 'driver' => 'kvm', 'cpu_mode' => 'host-passthrough', 'cpu_model' => nil }
      else
        { 'driver' => effective_accelerator == 'kvm' ? 'kvm' : 'qemu', 'cpu_mode' => 'custom', 'cpu_model' => model }
      end
    end

    def to_h
      @values.merge('hosts_block_id' => hosts_block_id, 'sources' => @sources,
                    'effective_accelerator' => effective_accelerator, 'libvirt' => libvirt_cpu)
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

    def read_json(path)
      raw = JSON.parse(File.read(path))
      raise LabSettingsError, "#{path} must hold a JSON object." unless raw.is_a?(Hash)

      format = raw.fetch('format', 1)
      unless format.is_a?(Integer) && format.between?(1, LAB_FILE_FORMAT)
        raise LabSettingsError, "#{path} has lab.json format #{format.inspect}; this Vagrantfile reads formats 1-#{LAB_FILE_FORMAT}. " \
                                'Update Boxwright (its Vagrantfile), or rebuild the box with this version.'
      end
      raw
    rescue JSON::ParserError => e
      raise LabSettingsError, "#{path} is not valid JSON (#{e.message.lines.first.strip}). Fix or delete it."
    end

    def file_layer(path, required: false)
      unless File.file?(path)
        raise LabSettingsError, "BOXWRIGHT_LAB names #{path}, which does not exist. Fix the path or unset BOXWRIGHT_LAB." if required

        return nil
      end
      raw = read_json(path)
      box = raw['box'].is_a?(Hash) ? raw['box'] : {}
      data = {}
      data['box_name'] = box['name'] if present?(box['name'])
      data['box_url'] = box['url'] if present?(box['url'])
      data['box_url'] = file_url(File.expand_path(box['path'], File.dirname(path))) if !data['box_url'] && present?(box['path'])
      provider = raw['provider'] || box['provider']
      data['provider'] = provider if present?(provider)
      FILE_KEYS.each { |json_key, key| data[key] = raw[json_key] unless raw[json_key].nil? }
      # A build's lab.json says "cpuModel": null under KVM: the host CPU, decided, not unset.
      data['cpu_model'] = nil if raw.key?('cpuModel') && raw['cpuModel'].nil?
      { 'origin' => path, 'data' => data }
    end

    def file_url(path)
      path = path.tr('\\', '/')
      path = "/#{path}" unless path.start_with?('/')
      "file://#{path}"
    end

    def merge(layers)
      DEFAULTS.each do |key, value|
        @values[key] = value
        @sources[key] = 'default'
      end
      unit_keys = UNITS.flatten
      layers.reverse_each do |layer|
        layer['data'].each do |key, value|
          next if unit_keys.include?(key)

          set(key, value, layer)
        end
      end
      UNITS.each { |lead, other| merge_unit(layers, lead, other) }
    end

    # lead (box URL, CPU model) comes only from the first layer naming lead or other; other (box
    # name, accelerator) from the first layer at or below it that names other.
    def merge_unit(layers, lead, other)
      first = layers.index { |l| l['data'].key?(lead) || l['data'].key?(other) }
      return unless first

      set(lead, layers[first]['data'][lead], layers[first]) if layers[first]['data'].key?(lead)
      named = layers.drop(first).find { |l| l['data'].key?(other) }
      set(other, named['data'][other], named) if named
    end

    def set(key, value, layer)
      @values[key] = value
      @sources[key] = layer['var'] ? layer['var'][key] : layer['origin']
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
      fail_setting('accelerator', "is #{accel.inspect}, which is not known", "Use one of: #{Accelerator::CHOICES.join(', ')}.") unless Accelerator::CHOICES.include?(accel)
      validate_ip
      validate_names
      model = @values['cpu_model']
      fail_setting('cpu_model', "is #{model.inspect}", 'Use a libvirt CPU model name such as qemu64.') if model && model.to_s !~ /\A[A-Za-z0-9_.+-]+\z/
      name = @values['name']
      problem = name && Values.lab_name_problem(name)
      fail_setting('name', "#{name.inspect} #{problem}", 'Use e.g. foobar-lab.') if problem
      validate_topology
    end

    def validate_topology
      topology = @values['topology'].to_s
      fail_setting('topology', "is #{topology.inspect}, which is not known", "Use one of: #{TOPOLOGIES.join(', ')}.") unless TOPOLOGIES.include?(topology)
      @values['topology'] = topology
      value = @values['app_servers']
      count = value.is_a?(Integer) ? value : (value.to_s =~ /\A\s*\d+\s*\z/ ? value.to_i : nil)
      fail_setting('app_servers', "must be a whole number from #{APP_SERVERS.min} to #{APP_SERVERS.max}, got #{value.inspect}", 'Set appServers (BOXWRIGHT_APP_SERVERS) to e.g. 2.') unless count && APP_SERVERS.cover?(count)
      @values['app_servers'] = count
      return unless topology == 'ha' && ip.split('.').last.to_i + 20 + count > 254

      fail_setting('ip', "#{ip} leaves no room for the ha machines (VIP + 1..2, + 11..12, + 21..#{20 + count})", 'Pick a VIP ending in .10 or lower, e.g. 192.168.56.10.')
    end

    def validate_ip
      ip = @values['ip']
      problem = Values.ipv4_problem(ip)
      if problem == Values::NOT_IPV4
        fail_setting('ip', "#{ip.to_s.inspect} is not an IPv4 address", 'Use four numbers 0-255 separated by dots, without leading zeros, e.g. 192.168.56.10.')
      elsif problem
        fail_setting('ip', "#{ip} cannot be a VM's address: it #{problem}", 'Pick a host address such as 192.168.56.10.')
      end
      return unless provider == 'virtualbox'

      nums = ip.split('.').map(&:to_i)
      return if nums[0] == 192 && nums[1] == 168 && (56..63).cover?(nums[2])

      fail_setting('ip', "#{ip} is outside VirtualBox's host-only range 192.168.56.0/21",
                   'Use an address from 192.168.56.1 to 192.168.63.254, or allow the range in /etc/vbox/networks.conf.')
    end

    def validate_names
      hostname = @values['hostname']
      problem = Values.vm_hostname_problem(hostname)
      fail_setting('hostname', "#{hostname.to_s.inspect} is not a valid host name (RFC 1123): it #{problem}", 'Pick another name, e.g. www.foobar.com: dot-separated labels of letters, digits and inner dashes, not a loopback name, not ending in a number.') if problem
      @values['hostname'] = hostname.downcase
      aliases = @values['aliases']
      fail_setting('aliases', 'must be a list of host names', 'Write e.g. ["foobar.com"].') unless aliases.is_a?(Array)
      bad = aliases.select { |a| Values.hostname_problem(a) }
      unless bad.empty?
        why = bad.map { |a| "#{a.inspect} #{Values.hostname_problem(a)}" }.join('; ')
        fail_setting('aliases', "hold invalid host names #{bad.inspect} (RFC 1123): #{why}", 'Pick other names, e.g. foobar.com: dot-separated labels of letters, digits and inner dashes, not a loopback name, not ending in a number.')
      end
      @values['aliases'] = aliases.map(&:downcase)
    end
  end
end
