package contactfile

// Checks from an independent review of contact import, each for a bug the review found
// and that is now fixed. Each test states the input, what it should give and, in its
// comment, why.

import (
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/text/encoding/simplifiedchinese"
	textunicode "golang.org/x/text/encoding/unicode"

	"github.com/outdial/outdial"
)

// Scientific notation whose mantissa has trailing zeros is still a whole number:
// 1.38001380000E10 is 13800138000 (a "0.00000000000E+00" cell format, or any tool that
// pads the mantissa, writes it). Fixed: cleanPhone used to count the padded zeros as
// decimals and pass the text on unchanged, for phone validation to refuse; it now drops
// them first.
func TestScientificNotationMantissaPaddedWithZeros(t *testing.T) {
	for _, in := range []string{"1.38001380000E10", "1.38001380000E+10", "1.3800138000E10", "1.88514987620E+10"} {
		got, reason := cleanPhone(in)
		want := map[string]string{"1.88514987620E+10": "18851498762"}[in]
		if want == "" {
			want = "13800138000"
		}
		if got != want || reason != "" {
			t.Errorf("cleanPhone(%q) = %q, %q; want %q", in, got, reason, want)
		}
	}
	// The same through both readers.
	r, err := NewCSV(strings.NewReader("phone\n1.38001380000E10\n"))
	if err != nil {
		t.Fatal(err)
	}
	if res := readAll(t, r, 10); res.phones() != "2:13800138000" {
		t.Errorf("CSV rows %q (errors %v), want 2:13800138000", res.phones(), res.bad)
	}
	j, err := NewJSON(strings.NewReader(`[{"phone": 1.38001380000E10}]`))
	if err != nil {
		t.Fatal(err)
	}
	if res := readAll(t, j, 10); res.phones() != "1:13800138000" {
		t.Errorf("JSON rows %q (errors %v), want 1:13800138000", res.phones(), res.bad)
	}
}

// A CSV with classic Mac line endings (a lone CR, as Excel for Mac's "CSV (Macintosh)"
// and some old exporters write) was read as ONE line: the header got the whole file as
// its fields, and the import answered 0/0/0 with no error. Fixed: a lone CR ends a line,
// CRLF is still one line end, and a quoted field keeps a lone CR as it is.
func TestCSVLoneCRLineEndings(t *testing.T) {
	r, err := NewCSV(strings.NewReader("phone,name\r13800138000,Li\r13912345678,Han\r"))
	if err != nil {
		t.Fatal(err)
	}
	res := readAll(t, r, 10)
	if got := res.phones(); got != "2:13800138000 3:13912345678" || res.err != nil {
		t.Errorf("rows %q, errors %v, fatal %v; want 2:13800138000 3:13912345678", got, res.bad, res.err)
	}
	// Mixed line ends, a quoted field across a lone CR and one across a CRLF.
	r, err = NewCSV(strings.NewReader("phone,note\r\n13800138000,\"a\rb\"\r13912345678,\"c\r\nd\"\n13712345678,e"))
	if err != nil {
		t.Fatal(err)
	}
	res = readAll(t, r, 10)
	if got := res.phones(); got != "2:13800138000 4:13912345678 6:13712345678" || res.err != nil {
		t.Fatalf("rows %q, errors %v, fatal %v; want 2:13800138000 4:13912345678 6:13712345678", got, res.bad, res.err)
	}
	if a, c := res.rows[0].Variables["note"], res.rows[1].Variables["note"]; a != "a\rb" || c != "c\nd" {
		t.Errorf("notes %q, %q; want %q, %q", a, c, "a\rb", "c\nd")
	}
}

// Title rows may come before the header (findHeader), but the delimiter was sniffed from
// the first non-blank line: a tab- or semicolon-separated file with a title line was split
// on commas, so the header "phone<TAB>name" was one unknown column and the file was
// refused. Fixed: sniffComma takes the delimiter from the header line.
func TestCSVDelimiterFromHeaderAfterTitleRow(t *testing.T) {
	for name, in := range map[string]string{
		"tab":                 "客户名单\nphone\tname\n13800138000\t张三\n",
		"semicolon":           "客户名单\nphone;name\n13800138000;张三\n",
		"title with a comma":  "客户名单,2024-05-01\n\"手机号\"\t姓名\n13800138000\t张三\n",
		"lone CR line ends":   "客户名单\rphone;name\r13800138000;张三\r",
		"no header delimiter": "客户名单\t2024\nphone,name\n13800138000,张三\n",
	} {
		r, err := NewCSV(strings.NewReader(in))
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if res := readAll(t, r, 10); res.phones() != "3:13800138000" || res.rows[0].Name != "张三" {
			t.Errorf("%s: rows %+v, want row 3 13800138000 张三", name, res.rows)
		}
	}
}

// A JSON file that starts with a UTF-8 byte order mark (PowerShell 5's Out-File and
// Set-Content -Encoding UTF8, Notepad before 2019) was refused as "malformed at byte 1",
// while a CSV with the same BOM was read. RFC 8259 allows a parser to ignore the BOM.
// Fixed: NewJSON skips it.
func TestJSONSkipsUTF8BOM(t *testing.T) {
	r, err := NewJSON(strings.NewReader("\uFEFF[{\"phone\":\"13800138000\",\"name\":\"张三\"}]"))
	if err != nil {
		t.Fatalf("JSON with a BOM refused: %v", err)
	}
	if res := readAll(t, r, 10); res.phones() != "1:13800138000" {
		t.Errorf("rows %q, want 1:13800138000", res.phones())
	}
}

// A file whose first 64 KiB are UTF-8 with Chinese text was read as UTF-8 without any
// check after that: a later field that is not UTF-8 (here a name saved as GBK, as in a
// list pasted together from two exports) reached Row.Name as invalid UTF-8 bytes, for the
// store to refuse (PostgreSQL, failing the whole chunk) or to give back as U+FFFD. Fixed:
// in a file read as UTF-8, such a field is decoded as GB18030 when it decodes, else its
// invalid bytes become U+FFFD.
func TestCSVInvalidUTF8AfterSampleRepaired(t *testing.T) {
	var b strings.Builder
	b.WriteString("phone,name\n13800138000,张三\n")
	for b.Len() < sniffBytes+100 {
		b.WriteString("13912345678,Han Meimei\n")
	}
	gbk, _ := simplifiedchinese.GBK.NewEncoder().String("李四")
	b.WriteString("13712345678," + gbk + "\n")
	b.WriteString("13612345678,Jos\xe9\n") // Latin-1, not GB18030 either
	r, err := NewCSV(strings.NewReader(b.String()))
	if err != nil {
		t.Fatal(err)
	}
	res := readAll(t, r, 10000)
	if res.err != nil {
		t.Fatal(res.err)
	}
	for i, want := range []string{"李四", "Jos\uFFFD"} {
		row := res.rows[len(res.rows)-2+i]
		if !utf8.ValidString(row.Name) || row.Name != want {
			t.Errorf("row %d name %q, want %q", row.Num, row.Name, want)
		}
	}
}

// JUDGEMENT CALL. A GBK file whose non-ASCII bytes happen to form valid UTF-8 was read
// as UTF-8: 郑 is D6 A3 in GBK, which is also the UTF-8 of U+05A3 (a Hebrew accent), so a
// small GBK list was stored as mojibake. Fixed in part: valid UTF-8 with only two-byte
// characters, one of them a C1 control or a combining mark on no letter, that reads as
// Chinese in GB18030 is taken as GB18030. Lookalikes that are plausible text (茅 is C3
// A9, é in UTF-8) are still UTF-8: an explicit charset settles them (TestCSVExplicitCharset).
func TestCSVGBKThatIsValidUTF8(t *testing.T) {
	gbk, _ := simplifiedchinese.GBK.NewEncoder().String("phone,name\n13800138000,郑\n")
	r, err := NewCSV(strings.NewReader(gbk))
	if err != nil {
		t.Fatal(err)
	}
	res := readAll(t, r, 10)
	if len(res.rows) != 1 || res.rows[0].Name != "郑" {
		t.Errorf("rows %+v, want one row named 郑", res.rows)
	}
}

// JUDGEMENT CALL. A JSON list whose FIRST element had no phone key was refused whole
// ("no phone field"), though that is one row with a missing phone, which the import
// reports per row everywhere else: [{"name":"a"},{"phone":"13800138000"}] imported
// nothing. Fixed: that element is a row without a phone ("missing phone" in the import).
func TestJSONFirstElementWithoutPhoneFailsOnlyItsRow(t *testing.T) {
	r, err := NewJSON(strings.NewReader(`[{"name":"a"},{"phone":"13800138000"}]`))
	if err != nil {
		t.Fatal(err)
	}
	res := readAll(t, r, 10)
	if res.err != nil {
		t.Fatalf("whole list refused because element 1 has no phone: %v", res.err)
	}
	if res.phones() != "1: 2:13800138000" {
		t.Errorf("rows %q, want 1: 2:13800138000", res.phones())
	}
}

// JUDGEMENT CALL. A JSON upload cut inside its second element said it "ends early (after
// 2 elements)", though only one element was whole. Fixed: the message counts complete
// elements.
func TestJSONCutOffCountsCompleteElements(t *testing.T) {
	r, err := NewJSON(strings.NewReader(`[{"phone":"13800138000"},{"phone":"139`))
	if err != nil {
		t.Fatal(err)
	}
	res := readAll(t, r, 10)
	if msg := outdial.ErrorMessage(res.err); !strings.Contains(msg, "after 1 element") {
		t.Errorf("error %q, want it to say the list ends after 1 element", msg)
	}
}

// JUDGEMENT CALL. Scientific notation with more than two implied zeros was taken as
// Excel's rounding, but a mantissa with 8 significant digits is not what Excel writes
// (its General format keeps 6): Java's Double.toString(13800138000.0) is
// "1.3800138E10", which is exact. Fixed: the test is on the mantissa's significant
// digits, at most 6 (and zeros to add) being refused as possibly rounded.
func TestScientificNotationLongMantissaIsExact(t *testing.T) {
	if got, reason := cleanPhone("1.3800138E10"); got != "13800138000" || reason != "" {
		t.Errorf("cleanPhone(1.3800138E10) = %q, %q; want 13800138000", got, reason)
	}
	for _, in := range []string{"1.38001E+10", "1.38E10", "1.38001E+07", "1.3800100000E+10"} {
		if _, reason := cleanPhone(in); reason == "" {
			t.Errorf("cleanPhone(%s) accepted; it may have lost digits", in)
		}
	}
	for in, want := range map[string]string{"1.3800138E10": "13800138000", "1.8851498762E+10": "18851498762",
		"1.2345678E7": "12345678", "1.885149876E10": "18851498760"} {
		if got, reason := cleanPhone(in); got != want || reason != "" {
			t.Errorf("cleanPhone(%s) = %q, %q; want %s", in, got, reason, want)
		}
	}
}

// JUDGEMENT CALL. A charset the uploader declares wins over the sniffed encoding (but
// not over a byte order mark); one it does not know is ignored.
func TestCSVExplicitCharset(t *testing.T) {
	gbk, _ := simplifiedchinese.GBK.NewEncoder().String("phone,name\n13800138000,茅\n") // 茅 is C3 A9, é in UTF-8
	for _, tt := range []struct{ in, charset, want string }{
		{gbk, "", "é"}, // what sniffing makes of it
		{gbk, "GBK", "茅"},
		{gbk, "gb2312", "茅"},
		{gbk, "x-unknown", "é"},
		{"phone,name\n13800138000,é\n", "utf-8", "é"},
		{"\uFEFFphone,name\n13800138000,郑\n", "gbk", "郑"}, // the BOM wins
	} {
		r, err := NewCSVCharset(strings.NewReader(tt.in), tt.charset)
		if err != nil {
			t.Fatalf("charset %q: %v", tt.charset, err)
		}
		res := readAll(t, r, 10)
		if len(res.rows) != 1 || res.rows[0].Name != tt.want {
			t.Errorf("charset %q: rows %+v, want one named %s", tt.charset, res.rows, tt.want)
		}
	}
	utf16, _ := textunicode.UTF16(textunicode.BigEndian, textunicode.IgnoreBOM).NewEncoder().String("phone\tname\n13800138000\t郑\n")
	r, err := OpenCharset(FormatCSV, "UTF-16BE", strings.NewReader(utf16))
	if err != nil {
		t.Fatal(err)
	}
	if res := readAll(t, r, 10); len(res.rows) != 1 || res.rows[0].Name != "郑" {
		t.Errorf("utf-16be: rows %+v, want one named 郑", res.rows)
	}
}
