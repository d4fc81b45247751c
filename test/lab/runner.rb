# frozen_string_literal: true

require 'json'

# Output of the plain-Ruby test runners of test/lab/: with --json one JSON object per case
# ({ name, ok, detail }), else a line per failure and "N passed, N failed". Exits 1 on a failure.
def report(results, argv = ARGV)
  if argv.include?('--json')
    results.each { |r| puts JSON.generate(r) }
  else
    results.reject { |r| r['ok'] }.each { |r| puts "not ok: #{r['name']}#{r['detail'] ? " (#{r['detail']})" : ''}" }
    puts "#{results.count { |r| r['ok'] }} passed, #{results.count { |r| !r['ok'] }} failed"
  end
  exit(results.all? { |r| r['ok'] } ? 0 : 1)
end
