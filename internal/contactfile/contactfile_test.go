package contactfile

import (
	"strings"
	"testing"

	"github.com/outdial/outdial"
)

func TestFormatOf(t *testing.T) {
	for _, tt := range []struct{ contentType, filename, want string }{
		{"", "客户名单.CSV", FormatCSV},
		{"application/octet-stream", `C:\Users\li\list.xlsx`, FormatXLSX},
		{"application/vnd.ms-excel", "list.csv", FormatCSV}, // what Windows browsers send for .csv
		{"application/json; charset=utf-8", "", FormatJSON},
		{"text/csv", "upload", FormatCSV},
		{"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "", FormatXLSX},
		{"application/vnd.ms-excel", "old.xls", ""},
		{"", "", ""},
	} {
		if got := FormatOf(tt.contentType, tt.filename); got != tt.want {
			t.Errorf("FormatOf(%q, %q) = %q, want %q", tt.contentType, tt.filename, got, tt.want)
		}
	}
}

func TestOpen(t *testing.T) {
	if _, err := Open("xls", strings.NewReader("")); outdial.ErrorCode(err) != outdial.EINVALID {
		t.Errorf("Open(xls): %v, want EINVALID", err)
	}
	for format, in := range map[string]string{
		FormatCSV:  "phone\n18851498762\n",
		FormatJSON: `[{"phone":"18851498762"}]`,
	} {
		r, err := Open(format, strings.NewReader(in))
		if err != nil {
			t.Fatal(err)
		}
		if res := readAll(t, r, 10); res.phones() != "2:18851498762" && res.phones() != "1:18851498762" {
			t.Errorf("%s: %q", format, res.phones())
		}
	}
}
