# frozen_string_literal: true

# Runs every case of test/fixtures/values/cases.json through the lab's Ruby value rules (directly,
# and as a setting of a lab.json the Vagrantfile reads), and every case of
# test/fixtures/values/accelerator.json through the "auto" accelerator fallback.
#   ruby test/lab/values_test.rb          one line per failure, then "N passed, N failed"; exit 1 on a failure
#   ruby test/lab/values_test.rb --json   one JSON object per case: { name, ok, detail }
require 'json'
require 'tmpdir'
require_relative '../../vagrant/values'
require_relative '../../vagrant/accelerator'
require_relative '../../vagrant/settings'
require_relative 'runner'

FIXTURES = File.expand_path('../fixtures/values', __dir__)
NO_KVM = { kvm_device: false, nested_pvm: false }.freeze

# The lab.json field a value of each kind is read from (port: no lab setting takes one).
SETTING = { 'hostname' => ->(v) { { 'aliases' => [v] } }, 'vmHostname' => ->(v) { { 'hostname' => v } },
            'ipv4' => ->(v) { { 'ip' => v } },
            'labName' => ->(v) { { 'name' => v } } }.freeze

def verdict_through_settings(dir, fields)
  File.write(File.join(dir, 'lab.json'), JSON.generate(fields))
  Boxwright::Settings.load(dir, {}, [], host: NO_KVM)
  [true, nil]
rescue Boxwright::LabSettingsError => e
  [false, e.message]
end

def value_results(dir)
  JSON.parse(File.read(File.join(FIXTURES, 'cases.json'))).flat_map do |kind, cases|
    rule = Boxwright::Values::KINDS.fetch(kind)
    cases.flat_map do |c|
      problem = rule.call(c['value'])
      results = [{ 'name' => "#{kind} #{c['value'].inspect} is #{c['valid'] ? 'valid' : 'refused'} by Values",
                   'ok' => problem.nil? == c['valid'], 'detail' => problem }]
      next results unless SETTING[kind]

      valid, message = verdict_through_settings(dir, SETTING[kind].call(c['value']))
      results << { 'name' => "#{kind} #{c['value'].inspect} is #{c['valid'] ? 'accepted' : 'refused'} in a lab.json",
                   'ok' => valid == c['valid'], 'detail' => message }
    end
  end
end

def accelerator_results(dir)
  table = JSON.parse(File.read(File.join(FIXTURES, 'accelerator.json')))
  File.write(File.join(dir, 'lab.json'), '{}')
  auto = table['auto'].flat_map do |c|
    host = { kvm_device: c['host']['kvmDevice'], nested_pvm: c['host']['nestedPvm'] }
    settings = Boxwright::Settings.load(dir, {}, [], host: host)
    [{ 'name' => "auto on #{c['host'].to_json} is #{c['choice']}", 'ok' => Boxwright::Accelerator.choose('auto', **host) == c['choice'] },
     { 'name' => "a lab without accelerator on #{c['host'].to_json} runs #{c['choice']}", 'ok' => settings.effective_accelerator == c['choice'] }]
  end
  models = table['cpuModel'].map do |c|
    { 'name' => "the CPU model under #{c['accelerator']} is #{c['cpuModel'].inspect}",
      'ok' => Boxwright::Accelerator.default_cpu_model(c['accelerator']) == c['cpuModel'] }
  end
  auto + models
end

results = Dir.mktmpdir('bw-values-') { |dir| value_results(dir) + accelerator_results(dir) }
report(results)
