package contactfile

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/simplifiedchinese"
	textunicode "golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"

	"github.com/outdial/outdial"
)

// sniffBytes is how much of a CSV file decides its encoding and delimiter.
const sniffBytes = 64 << 10

// csvReader reads rows from CSV.
type csvReader struct {
	p      *csvParser
	layout *layout
	utf8   bool // the file is read as UTF-8: a field that is not valid UTF-8 is repaired
	row    Row
	err    error // fatal, returned again by every later Next
}

// NewCSV reads a CSV file with a header row; it is NewCSVCharset without a charset.
func NewCSV(r io.Reader) (Reader, error) {
	return NewCSVCharset(r, "")
}

// NewCSVCharset reads a CSV file with a header row, in the encoding charset names (a
// Content-Type charset parameter: "utf-8", "gbk", "gb2312", "gb18030", "utf-16",
// "utf-16le", "utf-16be" and their usual aliases). A byte order mark wins over charset;
// an empty charset, or one it does not know, leaves the encoding to be found from the
// first 64 KiB: a UTF-8 or UTF-16 byte order mark, else UTF-8 if those bytes are valid
// UTF-8, else GB18030 (a superset of GBK, what Excel saves in Chinese Windows). Valid
// UTF-8 is taken as GB18030 too when it has no character of three bytes or more, reads
// as Chinese in GB18030, and has, as UTF-8, a character that text does not have (a C1
// control, or a combining mark on no letter): a short GBK list such as "郑" (D6 A3, a
// Hebrew accent in UTF-8). When the file is read as UTF-8, a field that is not valid
// UTF-8 (a GBK name pasted into a UTF-8 list further on) is decoded as GB18030 if it
// decodes without error, else its invalid bytes become U+FFFD.
//
// The delimiter is a comma, or a tab or semicolon if the header line has more of those:
// the first of the first 11 non-blank lines that names a phone column when split on its
// commonest delimiter, else the first that has a comma, tab or semicolon. Lines end with
// "\n", "\r\n" or a lone "\r".
//
// A row with fewer fields than the header leaves the rest empty; a row with more non-empty
// fields than the header is a *RowError, since a comma in an unquoted field shifts every
// column after it. A record over 1 MiB (usually a quote left open) is a fatal EINVALID error.
func NewCSVCharset(r io.Reader, charset string) (Reader, error) {
	br := bufio.NewReaderSize(r, sniffBytes)
	dec, err := sniffEncoding(br, charset)
	if err != nil {
		return nil, fmt.Errorf("contactfile: read csv: %w", err)
	}
	src := br
	if dec != nil {
		src = bufio.NewReaderSize(transform.NewReader(br, dec.NewDecoder()), sniffBytes)
	}
	c := &csvReader{p: &csvParser{br: src, comma: sniffComma(src)}, utf8: dec == nil}
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
		if re := c.layout.fill(&c.row, rec); re != nil {
			re.Num = line
			return nil, re
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
	if c.utf8 && !c.p.validUTF8() {
		for i, f := range rec {
			if !utf8.ValidString(f) {
				rec[i] = repairUTF8(f)
			}
		}
	}
	return rec, line, nil
}

// repairUTF8 turns a field that is not valid UTF-8 into text: decoded as GB18030 when
// every byte decodes, else with each invalid byte sequence replaced by U+FFFD.
func repairUTF8(f string) string {
	if s, err := simplifiedchinese.GB18030.NewDecoder().String(f); err == nil && !strings.ContainsRune(s, utf8.RuneError) {
		return s
	}
	return strings.ToValidUTF8(f, "\uFFFD")
}

// charsetEncoding returns the encoding a charset label names, nil for UTF-8; ok is false
// for a label it does not know.
func charsetEncoding(label string) (enc encoding.Encoding, ok bool) {
	switch strings.ToLower(strings.TrimSpace(label)) {
	case "utf-8", "utf8", "unicode-1-1-utf-8":
		return nil, true
	case "gbk", "gb2312", "gb_2312", "gb_2312-80", "gb18030", "cp936", "ms936", "windows-936", "x-gbk",
		"euc-cn", "csgb2312", "chinese", "iso-ir-58":
		return simplifiedchinese.GB18030, true
	case "utf-16", "utf-16le", "unicode", "ucs-2", "csunicode", "iso-10646-ucs-2":
		return textunicode.UTF16(textunicode.LittleEndian, textunicode.IgnoreBOM), true
	case "utf-16be", "unicodefffe":
		return textunicode.UTF16(textunicode.BigEndian, textunicode.IgnoreBOM), true
	}
	return nil, false
}

// sniffEncoding peeks at the start of br, skips a UTF-8 byte order mark, and returns the
// encoding to decode with (nil for UTF-8): a byte order mark's, else charset's if it
// names one, else the one the start looks like.
func sniffEncoding(br *bufio.Reader, charset string) (encoding.Encoding, error) {
	b, err := br.Peek(sniffBytes)
	if err != nil && err != io.EOF && err != bufio.ErrBufferFull {
		return nil, err
	}
	switch {
	case bytes.HasPrefix(b, []byte{0xEF, 0xBB, 0xBF}):
		_, err = br.Discard(3)
		return nil, err
	case bytes.HasPrefix(b, []byte{0xFF, 0xFE}):
		return textunicode.UTF16(textunicode.LittleEndian, textunicode.UseBOM), nil
	case bytes.HasPrefix(b, []byte{0xFE, 0xFF}):
		return textunicode.UTF16(textunicode.BigEndian, textunicode.UseBOM), nil
	}
	if enc, ok := charsetEncoding(charset); ok {
		return enc, nil
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
	if !utf8.Valid(b) || gbkLookalike(b) {
		return simplifiedchinese.GB18030, nil
	}
	return nil, nil
}

// gbkLookalike reports whether b, valid UTF-8, is rather GBK whose bytes happen to form
// UTF-8 (郑 is D6 A3 in GBK, U+05A3 in UTF-8): as UTF-8 it has only characters of two
// bytes, one of which text does not have (a C1 control, or a combining mark on no
// letter), and as GB18030 its non-ASCII characters are all Chinese.
func gbkLookalike(b []byte) bool {
	odd, onLetter := false, false
	for rest := b; len(rest) > 0; {
		r, n := utf8.DecodeRune(rest)
		rest = rest[n:]
		mark := unicode.In(r, unicode.Mn, unicode.Me)
		switch {
		case n > 2:
			return false
		case r >= 0x80 && r <= 0x9F, mark && !onLetter:
			odd = true
		}
		onLetter = unicode.IsLetter(r) || (mark && onLetter)
	}
	if !odd {
		return false
	}
	s, err := simplifiedchinese.GB18030.NewDecoder().Bytes(b)
	if err != nil {
		return false
	}
	for _, r := range string(s) {
		if r >= utf8.RuneSelf && !unicode.Is(unicode.Han, r) &&
			(r < 0x3000 || r > 0x303F) && (r < 0xFF00 || r > 0xFFEF) { // CJK and full-width punctuation
			return false
		}
	}
	return true
}

// sniffComma picks the delimiter from the header line, which it looks for among the
// first maxTitleRows+1 non-blank lines: the first that names a phone column when split on
// its delimiter, else the first that has a comma, tab or semicolon. A line's delimiter is
// a tab or semicolon when it has more of those than commas, else a comma.
func sniffComma(br *bufio.Reader) byte {
	b, _ := br.Peek(sniffBytes)
	var first byte // the delimiter of the first line that has one
	for lines := 0; len(b) > 0 && lines <= maxTitleRows; {
		line := b
		if i := bytes.IndexAny(b, "\r\n"); i >= 0 {
			line, b = b[:i], b[i+1:]
		} else {
			b = nil
		}
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		lines++
		commas, tabs, semis := bytes.Count(line, []byte{','}), bytes.Count(line, []byte{'\t'}), bytes.Count(line, []byte{';'})
		comma := byte(',')
		switch {
		case tabs > commas && tabs >= semis:
			comma = '\t'
		case semis > commas && semis > tabs:
			comma = ';'
		}
		if namesPhone(line, comma) {
			return comma
		}
		if first == 0 && commas+tabs+semis > 0 {
			first = comma
		}
	}
	if first != 0 {
		return first
	}
	return ','
}

// namesPhone reports whether line, split on comma, has a cell that names a phone column.
func namesPhone(line []byte, comma byte) bool {
	for cell := range bytes.SplitSeq(line, []byte{comma}) {
		if f, ok := aliases[normKey(strings.Trim(cleanCell(string(cell)), `"`))]; ok && f == fieldPhone {
			return true
		}
	}
	return false
}
