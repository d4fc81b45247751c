# frozen_string_literal: true

# A managed block in a hosts file, delimited by "# BEGIN boxwright <id>" / "# END boxwright <id>".
# Pure text in, text out: bytes outside the block never change, the file's line ending is kept, and
# remove(set(text)) == text even without a trailing newline. Tested by test/lab/hosts_block_test.rb
# against test/fixtures/lab/hosts-block-cases.json.
module Boxwright
  module HostsBlock
    module_function

    def begin_marker(id)
      "# BEGIN boxwright #{id}"
    end

    def end_marker(id)
      "# END boxwright #{id}"
    end

    # One hosts-file line: "<ip> <name> <name>...".
    def entry(ip, names)
      [ip, *names].join(' ')
    end

    # "\r\n" when the first line ends with it, else "\n".
    def detect_eol(text)
      i = text.index("\n")
      i && i.positive? && text[i - 1] == "\r" ? "\r\n" : "\n"
    end

    # [[body, end], ...] where end is "\n", "\r\n" or "" (last line without newline).
    def split_lines(text)
      text.scan(/[^\n]*\n|[^\n]+\z/).map do |l|
        if l.end_with?("\r\n") then [l[0...-2], "\r\n"]
        elsif l.end_with?("\n") then [l[0...-1], "\n"]
        else [l, '']
        end
      end
    end

    def find_blocks(lines, id)
      blocks = []
      open = nil
      lines.each_with_index do |(body, _), i|
        if open.nil? && body == begin_marker(id) then open = i
        elsif open && body == end_marker(id)
          blocks << [open, i]
          open = nil
        end
      end
      raise ArgumentError, "hosts file has \"#{begin_marker(id)}\" without \"#{end_marker(id)}\"; fix it by hand" if open

      blocks
    end

    def drop_block(lines, (b, e))
      at_eof_without_eol = e == lines.length - 1 && lines[e][1] == ''
      lines.slice!(b..e)
      lines[b - 1][1] = '' if at_eof_without_eol && b.positive?
    end

    def join(lines)
      lines.map { |body, eol| body + eol }.join
    end

    # Inserts or replaces the block of id so that it holds exactly entries (new blocks go last).
    def set(text, id, entries)
      eol = detect_eol(text)
      lines = split_lines(text)
      blocks = find_blocks(lines, id)
      body = [begin_marker(id), *entries, end_marker(id)]
      if (first = blocks.first)
        last_end = lines[first[1]][1]
        fresh = body.each_with_index.map { |b, i| [b, i == body.length - 1 ? last_end : eol] }
        blocks.drop(1).reverse_each { |blk| drop_block(lines, blk) }
        lines[first[0]..first[1]] = fresh
        return join(lines)
      end
      if !lines.empty? && lines.last[1] == ''
        lines.last[1] = eol
        return join(lines) + body.join(eol)
      end
      text + body.map { |b| b + eol }.join
    end

    # Removes every block of id; returns text unchanged when there is none.
    def remove(text, id)
      lines = split_lines(text)
      blocks = find_blocks(lines, id)
      return text if blocks.empty?

      blocks.reverse_each { |blk| drop_block(lines, blk) }
      join(lines)
    end
  end
end
