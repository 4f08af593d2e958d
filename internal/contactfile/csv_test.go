package contactfile

import (
	"os"
	"reflect"
	"strings"
	"testing"

	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/unicode"

	"github.com/outdial/outdial"
)

func TestCSV(t *testing.T) {
	tests := []struct {
		name   string
		in     string
		phones string // "num:phone ..." of the rows read
		bad    string // "num ..." of the RowErrors
		fatal  string // part of the fatal error's message
	}{
		{name: "english header", in: "Phone,Name\n18851498762,Li Lei\n13912345678,Han Meimei\n",
			phones: "2:18851498762 3:13912345678"},
		{name: "chinese header with notes", in: "*手机号码（必填）,客户姓名\n18851498762,李雷\n",
			phones: "2:18851498762"},
		{name: "utf-8 bom and crlf", in: "\uFEFF手机,姓名\r\n18851498762,李雷\r\n",
			phones: "2:18851498762"},
		{name: "blank lines skipped, numbers kept", in: "phone\n\n18851498762\n,\n\n13912345678\n",
			phones: "3:18851498762 6:13912345678"},
		{name: "title rows above the header", in: "客户名单,,\n2024-05-01,,\n号码,姓名,备注\n18851498762,李雷,x\n",
			phones: "4:18851498762"},
		{name: "trailing empty columns", in: "phone,name,,\n18851498762,Li,,,,\n", phones: "2:18851498762"},
		{name: "fewer fields than the header", in: "name,address,phone\nLi\n", phones: "2:"},
		{name: "more fields than the header", in: "phone,name\n18851498762,Li,extra\n13912345678,Han\n",
			phones: "3:13912345678", bad: "2"},
		{name: "quoted newline keeps line numbers", in: "phone,address\n18851498762,\"a\nb\"\n13912345678,c\n",
			phones: "2:18851498762 4:13912345678"},
		{name: "excel text formula", in: "phone\n=\"075512345678\"\n\"=\"\"02088776655\"\"\"\n",
			phones: "2:075512345678 3:02088776655"},
		{name: "scientific notation expanded", in: "phone\n1.885149876E10\n1.8851498762E+10\n13912345678.0\n",
			phones: "2:18851498760 3:18851498762 4:13912345678"},
		{name: "scientific notation rounded by excel", in: "phone\n1.88515E+10\n13912345678\n",
			phones: "3:13912345678", bad: "2"},
		{name: "tab delimited", in: "phone\tname\n18851498762\tLi, Lei\n", phones: "2:18851498762"},
		{name: "semicolon delimited", in: "phone;name\n18851498762;Li\n", phones: "2:18851498762"},
		{name: "lazy quotes", in: "phone,name\n18851498762,Li \"Lucky\" Lei\n", phones: "2:18851498762"},
		{name: "no phone column", in: "name,address\nLi,Beijing\n", fatal: "header row (name, address)"},
		{name: "a data row is not a header", in: "name,note,city\nLi,phone,Beijing\n", fatal: "header row (name, note, city)"},
		{name: "empty file", in: "", fatal: "empty"},
		{name: "quote left open", in: "phone,name\n1,\"" + strings.Repeat("x\n", 600_000), fatal: "over 1 MiB"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := NewCSV(strings.NewReader(tt.in))
			res := result{err: err}
			if err == nil {
				res = readAll(t, r, 1000)
			}
			if tt.fatal != "" {
				if res.err == nil || !strings.Contains(outdial.ErrorMessage(res.err), tt.fatal) {
					t.Fatalf("fatal error %v, want one about %q", res.err, tt.fatal)
				}
				if code := outdial.ErrorCode(res.err); code != outdial.EINVALID {
					t.Errorf("code %q, want EINVALID", code)
				}
				return
			}
			if res.err != nil {
				t.Fatal(res.err)
			}
			if got := res.phones(); got != tt.phones {
				t.Errorf("rows %q, want %q", got, tt.phones)
			}
			var bad []string
			for _, e := range res.bad {
				bad = append(bad, e.Error()[len("row "):strings.Index(e.Error(), ":")])
			}
			if got := strings.Join(bad, " "); got != tt.bad {
				t.Errorf("row errors %v, want rows %q", res.bad, tt.bad)
			}
		})
	}
}

func TestCSVFields(t *testing.T) {
	in := "Mobile, Name ,地址,E-Mail,自定义参数,Callback_URL,客户编号,优先级,金额,备注,Phone\n" +
		"18851498762, 李雷 ,北京,li@example.com,s1,https://example.com/cb,C-1,5,100.5,,13900000000\n" +
		"13912345678\n"
	r, err := NewCSV(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	res := readAll(t, r, 10)
	want := []Row{{
		Num: 2, Phone: "18851498762", Name: "李雷", Address: "北京", Email: "li@example.com", State: "s1",
		CallbackURL: "https://example.com/cb", ExternalID: "C-1", Priority: "5",
		// A second phone column is a variable under its own header.
		Variables: map[string]string{"金额": "100.5", "Phone": "13900000000"},
	}, {Num: 3, Phone: "13912345678"}}
	if res.err != nil || len(res.bad) > 0 || !reflect.DeepEqual(res.rows, want) {
		t.Errorf("got %+v (%v %v),\nwant %+v", res.rows, res.bad, res.err, want)
	}
}

func TestCSVEncodings(t *testing.T) {
	gbk, err := os.ReadFile("testdata/gbk.csv")
	if err != nil {
		t.Fatal(err)
	}
	utf16, err := unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewEncoder().String("手机\t姓名\r\n18851498762\t李雷\r\n")
	if err != nil {
		t.Fatal(err)
	}
	// An ASCII start longer than the sniffed bytes, then GBK: the field is still decoded.
	lateGBK, err := simplifiedchinese.GBK.NewEncoder().String("13912345678,韩梅梅\n")
	if err != nil {
		t.Fatal(err)
	}
	lateGBK = "phone,name\n" + strings.Repeat("18851498762,Li\n", sniffBytes/15+1) + lateGBK

	for _, tt := range []struct {
		name, in, wantName string
		last               bool
	}{
		{name: "gbk file saved by excel", in: string(gbk), wantName: "李雷"},
		{name: "utf-16 tab separated", in: utf16, wantName: "李雷"},
		{name: "gbk after an ascii start", in: lateGBK, wantName: "韩梅梅", last: true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r, err := NewCSV(strings.NewReader(tt.in))
			if err != nil {
				t.Fatal(err)
			}
			res := readAll(t, r, 10_000)
			if res.err != nil || len(res.rows) == 0 {
				t.Fatalf("%d rows, %v", len(res.rows), res.err)
			}
			row := res.rows[0]
			if tt.last {
				row = res.rows[len(res.rows)-1]
			}
			if row.Name != tt.wantName {
				t.Errorf("name %q, want %q", row.Name, tt.wantName)
			}
		})
	}
}
