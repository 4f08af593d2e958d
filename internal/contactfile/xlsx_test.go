package contactfile

import (
	"bytes"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/outdial/outdial"
)

// makeXLSX returns a workbook whose first sheet holds rows from A1 (nil cells stay empty)
// and whose second sheet must be ignored; style, if not nil, is applied to B5:B6.
func makeXLSX(t testing.TB, rows [][]any, style *excelize.Style) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	for i, row := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := f.SetSheetRow("Sheet1", cell, &row); err != nil {
			t.Fatal(err)
		}
	}
	if style != nil {
		id, err := f.NewStyle(style)
		if err != nil {
			t.Fatal(err)
		}
		if err := f.SetCellStyle("Sheet1", "B5", "B6", id); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := f.NewSheet("Other"); err != nil {
		t.Fatal(err)
	}
	if err := f.SetCellValue("Other", "A1", "phone"); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestXLSX(t *testing.T) {
	due := time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)
	sci := "0.00E+00"
	data := makeXLSX(t, [][]any{
		{"客户名单"},
		{"姓名", "手机号", "到期日", "优先级"},
		{"李雷", int64(18851498762), due, 3, "a note right of the header"},
		nil,
		{"韩梅梅", "1.885149876E10"},
		{"rounded", 18851498762.0}, // shown as 1.89E+10 by its format
		{nil, "'075512345678", nil, nil},
	}, &excelize.Style{CustomNumFmt: &sci})

	r, err := NewXLSX(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	res := readAll(t, r, 100)
	if res.err != nil {
		t.Fatal(res.err)
	}
	if got, want := res.phones(), "3:18851498762 5:18851498760 7:075512345678"; got != want {
		t.Errorf("rows %q, want %q", got, want)
	}
	if len(res.bad) != 1 || res.bad[0].Num != 6 || !strings.Contains(res.bad[0].Reason, "scientific") {
		t.Errorf("row errors %+v, want row 6 about scientific notation", res.bad)
	}
	first := res.rows[0]
	if first.Name != "李雷" || first.Priority != "3" || first.Variables["到期日"] == "" || len(first.Variables) != 1 {
		t.Errorf("first row %+v", first)
	}
}

func TestXLSXErrors(t *testing.T) {
	for _, tt := range []struct {
		name string
		in   []byte
		want string
	}{
		{"not a workbook", []byte("phone\n18851498762\n"), "not an XLSX workbook"},
		{"no phone column", makeXLSX(t, [][]any{{"name"}, {"Li"}}, nil), "no phone column"},
		{"empty sheet", makeXLSX(t, nil, nil), "empty"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewXLSX(bytes.NewReader(tt.in))
			if outdial.ErrorCode(err) != outdial.EINVALID || !strings.Contains(outdial.ErrorMessage(err), tt.want) {
				t.Errorf("error %v, want EINVALID about %q", err, tt.want)
			}
		})
	}
}

// A sheet bigger than xlsxInMemory goes through a temporary file, which the reader
// removes at io.EOF.
func TestXLSXLargeUsesTempFile(t *testing.T) {
	if testing.Short() {
		t.Skip("writes a 200,000-row workbook")
	}
	const n = 200_000
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	f := excelize.NewFile()
	defer f.Close()
	sw, err := f.NewStreamWriter("Sheet1")
	if err != nil {
		t.Fatal(err)
	}
	if err := sw.SetRow("A1", []any{"手机号码", "姓名"}); err != nil {
		t.Fatal(err)
	}
	for i := range n {
		cell, _ := excelize.CoordinatesToCellName(1, i+2)
		if err := sw.SetRow(cell, []any{strconv.Itoa(13800000000 + i), "客户" + strconv.Itoa(i)}); err != nil {
			t.Fatal(err)
		}
	}
	if err := sw.Flush(); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil { // its own temporary files
		t.Fatal(err)
	}

	r, err := NewXLSX(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if entries, _ := os.ReadDir(tmp); len(entries) == 0 {
		t.Error("no temporary file while reading a large sheet")
	}
	count, last := 0, 0
	for {
		row, err := r.Next()
		if err != nil {
			if err.Error() != "EOF" {
				t.Fatal(err)
			}
			break
		}
		count, last = count+1, row.Num
	}
	if count != n || last != n+1 {
		t.Errorf("%d rows, last %d; want %d, last %d", count, last, n, n+1)
	}
	if entries, _ := os.ReadDir(tmp); len(entries) != 0 {
		t.Errorf("%d temporary files left after io.EOF", len(entries))
	}
}
