# frozen_string_literal: true

require_relative 'host_dns'

module Boxwright
  # `vagrant up` returns once the site answers: after up/reload/resume the machine's own
  # /usr/local/sbin/boxwright-ready (provisioners/files/nginx/boxwright-ready.sh) waits, bounded, for
  # http://<hostname>/ to answer 200 through nginx, the app and the database. A box built before
  # the program existed is left as it was, with a note.
  module Ready
    PROGRAM = '/usr/local/sbin/boxwright-ready'
    # Seconds the guest waits; a first boot under TCG answers in about 30 s (README).
    WAIT_SECONDS = 180

    class NotReadyError < StandardError; end

    module_function

    def configure(config, node)
      config.trigger.after %i[up reload resume] do |t|
        t.name = 'boxwright: wait for the site'
        t.ruby { |_env, machine| wait(machine, node) }
      end
    end

    def wait(machine, node)
      return unless HostDns.running?(machine) && machine.communicate.ready?

      unless machine.communicate.test("test -x #{PROGRAM}")
        machine.ui.warn("Boxwright: this box has no #{PROGRAM}; not waiting for http://#{node.hostname}/")
        return
      end
      output = +''
      status = machine.communicate.sudo("#{PROGRAM} #{WAIT_SECONDS}", error_check: false) { |_type, data| output << data }
      said = output.strip.sub(/\Aboxwright-ready: /, '')
      raise NotReadyError, "Boxwright: #{said} Check with `vagrant ssh -c 'sudo #{PROGRAM}'`." unless status.zero?

      machine.ui.info("Boxwright: #{said}")
    end
  end
end
