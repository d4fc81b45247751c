# frozen_string_literal: true

# Runs every case of test/fixtures/lab/hosts-block-cases.json through vagrant/hosts_block.rb:
# the expected text (or the refusal), applying the operation again changes nothing, and removing a
# freshly set block restores the input byte for byte.
#   ruby test/lab/hosts_block_test.rb [--json]   (output as in values_test.rb)
require 'json'
require_relative '../../vagrant/hosts_block'
require_relative 'runner'

HB = Boxwright::HostsBlock
CASES = JSON.parse(File.read(File.expand_path('../fixtures/lab/hosts-block-cases.json', __dir__)))['cases']

def apply(c, text)
  c['op'] == 'set' ? HB.set(text, c['id'], c['entries'] || []) : HB.remove(text, c['id'])
end

def check(c)
  if c['error']
    begin
      apply(c, c['input'])
      return [false, 'no error raised']
    rescue ArgumentError => e
      return [e.message.include?('without'), e.message]
    end
  end
  out = apply(c, c['input'])
  return [false, "got #{out.inspect}"] unless out == c['expected']
  return [false, 'applying it again changed the text'] unless apply(c, out) == out

  fresh = c['op'] == 'set' && !c['input'].include?(HB.begin_marker(c['id']))
  return [false, 'removing the fresh block did not restore the input'] if fresh && HB.remove(HB.set(c['input'], c['id'], ['10.0.0.1 a.test']), c['id']) != c['input']

  [true, nil]
end

results = CASES.map do |c|
  ok, detail = check(c)
  { 'name' => c['name'], 'ok' => ok, 'detail' => detail }
end
results << { 'name' => 'a hosts entry is the IP then the names separated by single spaces',
             'ok' => HB.entry('192.168.56.10', %w[www.foobar.com foobar.com]) == '192.168.56.10 www.foobar.com foobar.com' }
results << { 'name' => 'the line ending is the first one found and LF when there is none',
             'ok' => [HB.detect_eol("a\r\nb\n"), HB.detect_eol("a\nb\r\n"), HB.detect_eol('single line'), HB.detect_eol("\n")] == ["\r\n", "\n", "\n", "\n"] }
report(results)
