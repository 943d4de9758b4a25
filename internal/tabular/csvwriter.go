package tabular

import (
	"encoding/csv"
	"io"
	"strconv"
	"strings"
)

// CSVWriter writes CSV files meant to be opened in a spreadsheet. A cell a
// spreadsheet would run as a formula (starting with = + - @, a tab or a
// carriage return) is written with a leading apostrophe, so a stored value
// such as a username "=HYPERLINK(...)" chosen by an anonymous attacker stays
// text on the officer's screen. Plain numbers ("-12.50") are left alone.
// Every CSV export of fanzha writes through it.
type CSVWriter struct {
	cw  *csv.Writer
	buf []string
}

// NewCSVWriter returns a writer to w.
func NewCSVWriter(w io.Writer) *CSVWriter { return &CSVWriter{cw: csv.NewWriter(w)} }

// SafeCell returns the cell as it is written: neutralised when a
// spreadsheet would read it as a formula.
func SafeCell(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r', '\n':
	default:
		return s
	}
	if _, err := strconv.ParseFloat(s, 64); err == nil && !strings.ContainsAny(s, "\t\r\n") {
		return s
	}
	return "'" + s
}

// Write writes one record.
func (w *CSVWriter) Write(record []string) error {
	w.buf = w.buf[:0]
	for _, c := range record {
		w.buf = append(w.buf, SafeCell(c))
	}
	return w.cw.Write(w.buf)
}

// WriteAll writes the records and flushes.
func (w *CSVWriter) WriteAll(records [][]string) error {
	for _, r := range records {
		if err := w.Write(r); err != nil {
			return err
		}
	}
	w.cw.Flush()
	return w.cw.Error()
}

// Flush writes buffered data to the underlying writer.
func (w *CSVWriter) Flush() { w.cw.Flush() }

// Error reports an error from a previous Write or Flush.
func (w *CSVWriter) Error() error { return w.cw.Error() }
