package contactfile

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"unicode/utf8"
)

// maxRecordBytes bounds one CSV record, so that a quote left open cannot make the reader
// hold the rest of the file in memory.
const maxRecordBytes = 1 << 20

// errRecordTooLong is returned by csvParser.read for a record over maxRecordBytes.
var errRecordTooLong = errors.New("record too long")

// csvParser splits RFC 4180 records, as encoding/csv does with LazyQuotes (a stray quote
// is text, a quoted field left open ends at EOF) and FieldsPerRecord -1. Unlike
// encoding/csv it bounds a record's size, it makes one string per record, and a lone
// "\r" ends a line as "\n" and "\r\n" do (classic Mac OS line ends, which Excel for Mac
// still writes as "CSV (Macintosh)"); in a quoted field a lone "\r" is kept, as
// encoding/csv keeps it, and "\r\n" is "\n".
type csvParser struct {
	br     *bufio.Reader
	comma  byte
	line   int    // lines read so far
	long   []byte // a line longer than br's buffer, assembled
	cr     bool   // the last line read ended with "\r" at the end of what was buffered: a "\n" next belongs to its line end
	loneCR bool   // the last line read ended with a lone "\r"
	prevCR bool   // the line before it did
	noLF   int    // bytes buffered in br, from its read position, known to hold no '\n'
	noCR   int    // the same for '\r'
	buf    []byte // the current record's field bytes, unquoted
	ends   []int  // where each field ends in buf
	fields []string
}

// read returns the next record, skipping blank lines, and the line it starts on. The
// fields slice is reused by the next call; the strings are not. It returns io.EOF at the
// end, errRecordTooLong, or the underlying reader's error.
func (p *csvParser) read() (fields []string, line int, err error) {
	var l []byte
	for len(l) == 0 {
		if l, err = p.readLine(); err != nil {
			return nil, 0, err
		}
	}
	line = p.line
	p.buf, p.ends = p.buf[:0], p.ends[:0]
	if err := p.parse(l); err != nil {
		return nil, 0, err
	}
	s := string(p.buf)
	p.fields = p.fields[:0]
	start := 0
	for _, end := range p.ends {
		p.fields = append(p.fields, s[start:end])
		start = end
	}
	return p.fields, line, nil
}

// parse splits one record that starts with line, reading more lines for quoted newlines.
func (p *csvParser) parse(line []byte) error {
	for {
		if len(line) == 0 || line[0] != '"' {
			i := bytes.IndexByte(line, p.comma)
			if i < 0 {
				p.endField(line)
				return nil
			}
			p.endField(line[:i])
			line = line[i+1:]
			continue
		}
		line = line[1:]
	quoted:
		for {
			i := bytes.IndexByte(line, '"')
			if i < 0 {
				p.buf = append(p.buf, line...)
				if len(p.buf) > maxRecordBytes {
					return errRecordTooLong
				}
				next, err := p.readLine()
				if err == io.EOF {
					p.endField(nil) // a quote left open ends at EOF
					return nil
				} else if err != nil {
					return err
				}
				if p.prevCR {
					p.buf = append(p.buf, '\r')
				} else {
					p.buf = append(p.buf, '\n')
				}
				line = next
				continue
			}
			p.buf = append(p.buf, line[:i]...)
			line = line[i+1:]
			switch {
			case len(line) == 0:
				p.endField(nil)
				return nil
			case line[0] == '"': // "" is a quote
				p.buf = append(p.buf, '"')
				line = line[1:]
			case line[0] == p.comma:
				p.endField(nil)
				line = line[1:]
				break quoted
			default: // a stray quote is text
				p.buf = append(p.buf, '"')
			}
		}
	}
}

// validUTF8 reports whether the fields of the record read last are all valid UTF-8.
func (p *csvParser) validUTF8() bool {
	return utf8.Valid(p.buf)
}

// endField appends rest to the field being read and ends it.
func (p *csvParser) endField(rest []byte) {
	p.buf = append(p.buf, rest...)
	p.ends = append(p.ends, len(p.buf))
}

// readLine returns the next line without its line end, "\n", "\r\n" or a lone "\r"; the
// slice is valid until the next call. It returns io.EOF only when nothing is left.
func (p *csvParser) readLine() ([]byte, error) {
	if p.cr {
		p.cr, p.loneCR = false, true
		b, err := p.br.Peek(1)
		switch {
		case err == nil && b[0] == '\n':
			p.discard(1)
			p.loneCR = false
		case err != nil && err != io.EOF:
			return nil, err
		}
	}
	p.prevCR, p.loneCR = p.loneCR, false
	p.long = p.long[:0]
	long := false
	for {
		n := p.br.Buffered()
		if n == 0 {
			if _, err := p.br.Peek(1); err != nil {
				if err == io.EOF && long {
					break // the last line, without a line end
				}
				return nil, err
			}
			n = p.br.Buffered()
		}
		buf, _ := p.br.Peek(n)
		i := p.lineEnd(buf)
		if i >= 0 {
			switch {
			case buf[i] == '\n':
				p.discard(i + 1)
			case i+1 == len(buf):
				p.discard(i + 1)
				p.cr = true // the next call looks for a "\n"
			case buf[i+1] == '\n':
				p.discard(i + 2)
			default:
				p.discard(i + 1)
				p.loneCR = true
			}
			if long {
				p.long = append(p.long, buf[:i]...)
				break
			}
			p.line++
			return buf[:i], nil
		}
		if n < p.br.Size() {
			// Read more into the buffer; at EOF what is buffered is the last line.
			if _, err := p.br.Peek(n + 1); err == nil {
				continue
			} else if err != io.EOF {
				return nil, err
			}
			buf, _ = p.br.Peek(p.br.Buffered())
			p.discard(len(buf))
			if long {
				p.long = append(p.long, buf...)
				break
			}
			p.line++
			return buf, nil
		}
		// A line longer than the buffer: assemble it.
		p.long, long = append(p.long, buf...), true
		p.discard(n)
		if len(p.long) > maxRecordBytes {
			return nil, errRecordTooLong
		}
	}
	p.line++
	return p.long, nil
}

// lineEnd returns the index of the first '\n' or '\r' in buf, the bytes buffered in
// p.br, or -1. What it has searched it remembers (noLF, noCR), so that lines of one kind
// of end do not make it search the whole buffer for the other each time.
func (p *csvParser) lineEnd(buf []byte) int {
	lf := indexFrom(buf, '\n', &p.noLF)
	if lf >= 0 {
		buf = buf[:lf]
	}
	if cr := indexFrom(buf, '\r', &p.noCR); cr >= 0 {
		return cr
	}
	return lf
}

// indexFrom returns the index of the first c in buf, searching from *clean on, and sets
// *clean to how many bytes of buf are now known to hold no c.
func indexFrom(buf []byte, c byte, clean *int) int {
	if *clean >= len(buf) {
		return -1
	}
	if i := bytes.IndexByte(buf[*clean:], c); i >= 0 {
		*clean += i
		return *clean
	}
	*clean = len(buf)
	return -1
}

// discard consumes n buffered bytes of p.br.
func (p *csvParser) discard(n int) {
	p.br.Discard(n)
	p.noLF, p.noCR = max(p.noLF-n, 0), max(p.noCR-n, 0)
}
