package contactfile

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"reflect"
	"testing"
	"testing/iotest"
	"time"
)

// checkReader reads r to the end: it must stop within a bound of Next calls and a few
// seconds, and give rows (and row errors) with increasing numbers.
func checkReader(t *testing.T, r Reader, size int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	last := 0
	for i := 0; ; i++ {
		if i > size+10 || time.Now().After(deadline) {
			t.Fatalf("still reading after %d calls", i)
		}
		row, err := r.Next()
		var re *RowError
		num := 0
		switch {
		case err == io.EOF:
			return
		case errors.As(err, &re):
			num = re.Num
		case err != nil:
			if again, _ := r.Next(); again != nil {
				t.Fatal("a row after a fatal error")
			}
			return
		default:
			num = row.Num
		}
		if num <= last {
			t.Fatalf("row %d after row %d", num, last)
		}
		last = num
	}
}

func FuzzCSV(f *testing.F) {
	for _, s := range []string{
		"phone,name\n18851498762,Li\n",
		"\uFEFF手机号码,姓名\r\n\"188 5149 8762\",\"李\"\"雷\"\"\"\r\n\r\n=\"0755123\",x,y\n",
		"phone\n\"a\nb\nc\"\n1.885149876E10\n",
		"电话;备注\n1;\"unterminated\n",
		"title\n\nphone\tname\n1\t2\t3\n",
		"\xff\xfep\x00h\x00o\x00n\x00e\x00\n\x001\x00",
		"phone,name\r18851498762,Li\r\r\n13912345678,\"a\rb\"\r",
		"客户名单\rphone;name\r1;2\r",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if r, err := NewCSV(bytes.NewReader(data)); err == nil {
			checkReader(t, r, len(data))
		}
		compareBuffering(t, data)
		compareWithEncodingCSV(t, data)
	})
}

// parseAll reads every record of br with the record parser.
func parseAll(br *bufio.Reader) (recs [][]string, lines []int, err error) {
	p := &csvParser{br: br, comma: ','}
	for {
		rec, line, err := p.read()
		if err == io.EOF {
			return recs, lines, nil
		} else if err != nil {
			return recs, lines, err
		}
		recs, lines = append(recs, append([]string(nil), rec...)), append(lines, line)
	}
}

// compareBuffering checks that the record parser reads the same records whether data
// comes at once into a large buffer or a byte at a time into the smallest, where lines
// and line ends straddle what is buffered.
func compareBuffering(t *testing.T, data []byte) {
	want, wantLines, wantErr := parseAll(bufio.NewReader(bytes.NewReader(data)))
	got, gotLines, err := parseAll(bufio.NewReaderSize(iotest.OneByteReader(bytes.NewReader(data)), 16))
	if !reflect.DeepEqual(got, want) || !reflect.DeepEqual(gotLines, wantLines) || (err == nil) != (wantErr == nil) {
		t.Fatalf("a byte at a time: %q at lines %v (%v),\nat once: %q at lines %v (%v)", got, gotLines, err, want, wantLines, wantErr)
	}
}

// compareWithEncodingCSV checks that where encoding/csv reads data without error, the
// record parser reads the same records at the same lines. encoding/csv takes a lone "\r"
// as text where the parser ends a line: for data without quotes it reads the data with
// each lone "\r" made "\n", and data with both is not compared.
func compareWithEncodingCSV(t *testing.T, data []byte) {
	stdData := bytes.Clone(data)
	for i, c := range data {
		if c == '\r' && (i+1 == len(data) || data[i+1] != '\n') {
			if bytes.IndexByte(data, '"') >= 0 {
				return
			}
			stdData[i] = '\n'
		}
	}
	std := csv.NewReader(bytes.NewReader(stdData))
	std.FieldsPerRecord = -1
	var want [][]string
	var wantLines []int
	for {
		rec, err := std.Read()
		if err == io.EOF {
			break
		} else if err != nil {
			return // outside what both read alike
		}
		line, _ := std.FieldPos(0)
		want, wantLines = append(want, rec), append(wantLines, line)
	}
	got, gotLines, err := parseAll(bufio.NewReader(bytes.NewReader(data)))
	if err != nil {
		t.Fatalf("parser: %v where encoding/csv reads the input", err)
	}
	if !reflect.DeepEqual(got, want) || !reflect.DeepEqual(gotLines, wantLines) {
		t.Fatalf("parser read %q at lines %v,\nencoding/csv %q at lines %v", got, gotLines, want, wantLines)
	}
}

func FuzzJSON(f *testing.F) {
	for _, s := range []string{
		`[{"phone":"18851498762","name":"Li","variables":{"a":1}}]`,
		`[{"手机号":18851498762},{"phone":null},"x",[[[]]],{"phone":1,"x":{"y":[1]}}]`,
		`[{"mobile":1.885149876e10,"priority":5,"vip":true}] `,
		`[{"phone":"1"},`,
		"\uFEFF[{\"name\":\"a\"},{\"phone\":\"1.38001380000E10\"}]",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if r, err := NewJSON(bytes.NewReader(data)); err == nil {
			checkReader(t, r, len(data))
		}
	})
}

func FuzzXLSX(f *testing.F) {
	f.Add(makeXLSX(f, [][]any{
		{"客户名单"},
		{"手机号", "姓名", "备注"},
		{int64(18851498762), "李雷", 1.5},
		nil,
		{"1.885149876E10", "韩梅梅"},
	}, nil))
	f.Add([]byte("PK\x03\x04"))
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := NewXLSX(bytes.NewReader(data))
		if err != nil {
			return
		}
		defer r.(io.Closer).Close()
		// A sheet may claim row numbers up to 1,048,576; each costs one Next.
		checkReader(t, r, 1<<20+len(data))
	})
}
