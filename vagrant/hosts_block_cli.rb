# frozen_string_literal: true

# Test driver for vagrant/hosts_block.rb: reads {"cases": [{input, op, id, entries}]} as JSON on
# stdin, prints a JSON array of {"output": text} or {"error": message}, one per case.
require 'json'
require_relative 'hosts_block'

cases = JSON.parse($stdin.read).fetch('cases')
results = cases.map do |c|
  output = if c['op'] == 'set'
             Boxwright::HostsBlock.set(c['input'], c['id'], c['entries'])
           else
             Boxwright::HostsBlock.remove(c['input'], c['id'])
           end
  { 'output' => output }
rescue ArgumentError => e
  { 'error' => e.message }
end
puts JSON.generate(results)
