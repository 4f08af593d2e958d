package contactfile

import (
	"bytes"
	"io"
	"strconv"
	"testing"
)

const benchRows = 100_000

// benchPhone returns the i-th phone of a benchmark file.
func benchPhone(i int) string { return strconv.Itoa(13800000000 + i*7919%100000000) }

// BenchmarkReadCSV measures CSV reading alone: rows as Excel saves them (a mobile, a
// name, an address), 100,000 rows per op.
func BenchmarkReadCSV(b *testing.B) {
	var data bytes.Buffer
	data.WriteString("手机号码,姓名,地址\r\n")
	for i := range benchRows {
		data.WriteString(benchPhone(i) + ",王秀英,广东省深圳市南山区科技园\r\n")
	}
	benchRead(b, data.Bytes(), NewCSV)
}

// BenchmarkReadJSON measures JSON reading alone: objects with a phone, a name, an address
// and one variable, 100,000 per op.
func BenchmarkReadJSON(b *testing.B) {
	var data bytes.Buffer
	data.WriteString("[")
	for i := range benchRows {
		if i > 0 {
			data.WriteString(",\n")
		}
		data.WriteString(`{"phone":"` + benchPhone(i) + `","name":"王秀英","address":"广东省深圳市南山区科技园","variables":{"amount":"100"}}`)
	}
	data.WriteString("]")
	benchRead(b, data.Bytes(), NewJSON)
}

func benchRead(b *testing.B, data []byte, open func(io.Reader) (Reader, error)) {
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		r, err := open(bytes.NewReader(data))
		if err != nil {
			b.Fatal(err)
		}
		n := 0
		for {
			if _, err := r.Next(); err == io.EOF {
				break
			} else if err != nil {
				b.Fatal(err)
			}
			n++
		}
		if n != benchRows {
			b.Fatalf("%d rows", n)
		}
	}
	b.ReportMetric(float64(benchRows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}
