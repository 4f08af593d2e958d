package contactfile

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"

	"github.com/outdial/outdial"
)

// sniffBytes is how much of a CSV file decides its encoding and delimiter.
const sniffBytes = 64 << 10

// csvReader reads rows from CSV.
type csvReader struct {
	p      *csvParser
	layout *layout
	gbk    bool // the sniffed bytes were ASCII: a field that is not UTF-8 is read as GB18030
	row    Row
	err    error // fatal, returned again by every later Next
}

// NewCSV reads a CSV file with a header row. The encoding is found from the first 64 KiB:
// a UTF-8 or UTF-16 byte order mark, else UTF-8 if those bytes are valid UTF-8, else
// GB18030 (a superset of GBK, what Excel saves in Chinese Windows). When those bytes are
// all ASCII, a later field that is not valid UTF-8 is decoded as GB18030. The delimiter is
// a comma, or a tab or semicolon if the header line has more of those.
//
// A row with fewer fields than the header leaves the rest empty; a row with more non-empty
// fields than the header is a *RowError, since a comma in an unquoted field shifts every
// column after it. A record over 1 MiB (usually a quote left open) is a fatal EINVALID error.
func NewCSV(r io.Reader) (Reader, error) {
	br := bufio.NewReaderSize(r, sniffBytes)
	dec, gbk, err := sniffEncoding(br)
	if err != nil {
		return nil, fmt.Errorf("contactfile: read csv: %w", err)
	}
	src := br
	if dec != nil {
		src = bufio.NewReaderSize(transform.NewReader(br, dec.NewDecoder()), sniffBytes)
	}
	c := &csvReader{p: &csvParser{br: src, comma: sniffComma(src)}, gbk: gbk}
	header := func() ([]string, error) {
		rec, _, err := c.record()
		return rec, err
	}
	if c.layout, err = findHeader(header); err != nil {
		return nil, err
	}
	c.layout.strict = true
	return c, nil
}

// Next implements Reader.
func (c *csvReader) Next() (*Row, error) {
	for c.err == nil {
		rec, line, err := c.record()
		if err != nil {
			c.err = err
			break
		}
		if clean(rec) {
			continue
		}
		c.row.Num = line
		if reason := c.layout.fill(&c.row, rec); reason != "" {
			return nil, &RowError{Num: line, Reason: reason}
		}
		return &c.row, nil
	}
	return nil, c.err
}

// record reads one record and turns the parser's errors into the reader's.
func (c *csvReader) record() ([]string, int, error) {
	rec, line, err := c.p.read()
	switch {
	case err == io.EOF:
		return nil, 0, io.EOF
	case errors.Is(err, errRecordTooLong):
		return nil, 0, outdial.Errorf(outdial.EINVALID,
			"CSV line %d: a row is over 1 MiB; is a quote left open?", c.p.line+1)
	case err != nil:
		return nil, 0, fmt.Errorf("contactfile: read csv: %w", err)
	}
	if c.gbk {
		for i, f := range rec {
			if !utf8.ValidString(f) {
				rec[i], _ = simplifiedchinese.GB18030.NewDecoder().String(f)
			}
		}
	}
	return rec, line, nil
}

// sniffEncoding peeks at the start of br, skips a byte order mark, and returns the
// encoding to decode with (nil for UTF-8) and whether the start was all ASCII.
func sniffEncoding(br *bufio.Reader) (enc encoding.Encoding, ascii bool, err error) {
	b, err := br.Peek(sniffBytes)
	if err != nil && err != io.EOF && err != bufio.ErrBufferFull {
		return nil, false, err
	}
	switch {
	case bytes.HasPrefix(b, []byte{0xEF, 0xBB, 0xBF}):
		_, err = br.Discard(3)
		return nil, false, err
	case bytes.HasPrefix(b, []byte{0xFF, 0xFE}):
		return unicode.UTF16(unicode.LittleEndian, unicode.UseBOM), false, nil
	case bytes.HasPrefix(b, []byte{0xFE, 0xFF}):
		return unicode.UTF16(unicode.BigEndian, unicode.UseBOM), false, nil
	}
	if len(b) == sniffBytes {
		// Do not judge a character cut at the end of the sample.
		for i := len(b) - 1; i >= len(b)-utf8.UTFMax && i >= 0; i-- {
			if utf8.RuneStart(b[i]) {
				if !utf8.FullRune(b[i:]) {
					b = b[:i]
				}
				break
			}
		}
	}
	if !utf8.Valid(b) {
		return simplifiedchinese.GB18030, false, nil
	}
	for _, c := range b {
		if c >= utf8.RuneSelf {
			return nil, false, nil
		}
	}
	return nil, true, nil
}

// sniffComma picks the delimiter from the first non-blank line: a tab or semicolon when it
// has more of those than commas, else a comma.
func sniffComma(br *bufio.Reader) byte {
	b, _ := br.Peek(sniffBytes)
	var line []byte
	for len(b) > 0 && len(bytes.TrimSpace(line)) == 0 {
		line, b, _ = bytes.Cut(b, []byte{'\n'})
	}
	commas, tabs, semis := bytes.Count(line, []byte{','}), bytes.Count(line, []byte{'\t'}), bytes.Count(line, []byte{';'})
	switch {
	case tabs > commas && tabs >= semis:
		return '\t'
	case semis > commas && semis > tabs:
		return ';'
	}
	return ','
}
