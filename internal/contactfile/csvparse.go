package contactfile

import (
	"bufio"
	"bytes"
	"errors"
	"io"
)

// maxRecordBytes bounds one CSV record, so that a quote left open cannot make the reader
// hold the rest of the file in memory.
const maxRecordBytes = 1 << 20

// errRecordTooLong is returned by csvParser.read for a record over maxRecordBytes.
var errRecordTooLong = errors.New("record too long")

// csvParser splits RFC 4180 records, as encoding/csv does with LazyQuotes (a stray quote
// is text, a quoted field left open ends at EOF) and FieldsPerRecord -1. Unlike
// encoding/csv it bounds a record's size, and it makes one string per record.
type csvParser struct {
	br     *bufio.Reader
	comma  byte
	line   int    // lines read so far
	long   []byte // a line longer than br's buffer, assembled
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
				p.buf = append(p.buf, '\n')
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

// endField appends rest to the field being read and ends it.
func (p *csvParser) endField(rest []byte) {
	p.buf = append(p.buf, rest...)
	p.ends = append(p.ends, len(p.buf))
}

// readLine returns the next line without its "\n" or "\r\n" (a "\r" before EOF is dropped
// too); the slice is valid until the next call. It returns io.EOF only when nothing is left.
func (p *csvParser) readLine() ([]byte, error) {
	line, err := p.br.ReadSlice('\n')
	if err == bufio.ErrBufferFull {
		p.long = append(p.long[:0], line...)
		for err == bufio.ErrBufferFull {
			if len(p.long) > maxRecordBytes {
				return nil, errRecordTooLong
			}
			line, err = p.br.ReadSlice('\n')
			p.long = append(p.long, line...)
		}
		line = p.long
	}
	if err == io.EOF && len(line) > 0 {
		err = nil
	}
	if err != nil {
		return nil, err
	}
	p.line++
	if n := len(line); n > 0 && line[n-1] == '\n' {
		line = line[:n-1]
	}
	if n := len(line); n > 0 && line[n-1] == '\r' {
		line = line[:n-1]
	}
	return line, nil
}
