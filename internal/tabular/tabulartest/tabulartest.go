// Package tabulartest builds hostile tables for tests: workbooks whose
// worksheet expands to any size (a zip bomb) while the file stays small
// and is never held expanded, in the test or anywhere else.
package tabulartest

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"fmt"
	"hash/crc32"
	"io"

	"github.com/xuri/excelize/v2"
)

// SheetHead opens a worksheet with a header row (户名) and a second row
// whose first cell is left open for inline text; SheetTail closes it.
const (
	SheetHead = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` +
		`<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>` +
		`<row r="1"><c r="A1" t="inlineStr"><is><t>户名</t></is></c></row><row r="2"><c r="A2" t="inlineStr"><is><t>`
	SheetTail = `</t></is></c></row></sheetData></worksheet>`
)

// Sheet is the first worksheet of a crafted workbook: Prefix, then N bytes
// Fill (rounded down to whole MiB), then Suffix. Declared, when not 0, is
// the uncompressed size written in the archive instead of the true one.
type Sheet struct {
	Prefix, Suffix string
	Fill           byte
	N              int64
	Declared       int64
}

const chunk = 1 << 20

// deflated compresses b as a deflate segment that refers to nothing
// before it: flushed (byte-aligned, not final) or closed (final).
func deflated(b []byte, final bool) []byte {
	var buf bytes.Buffer
	w, _ := flate.NewWriter(&buf, flate.BestCompression)
	_, _ = w.Write(b)
	if final {
		_ = w.Close()
	} else {
		_ = w.Flush()
	}
	return buf.Bytes()
}

// Workbook is a small workbook made by excelize with its first sheet
// replaced by sheet. The repeated part is one compressed MiB repeated, so
// a 1 GB sheet costs about 1 MB of file and of memory to build.
func Workbook(sheet Sheet) ([]byte, error) {
	f := excelize.NewFile()
	_ = f.SetCellValue("Sheet1", "A1", "户名")
	var base bytes.Buffer
	if err := f.Write(&base); err != nil {
		return nil, err
	}
	zr, err := zip.NewReader(bytes.NewReader(base.Bytes()), int64(base.Len()))
	if err != nil {
		return nil, err
	}
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	for _, zf := range zr.File {
		if zf.Name == "xl/worksheets/sheet1.xml" {
			continue
		}
		w, err := zw.CreateRaw(&zf.FileHeader)
		if err != nil {
			return nil, err
		}
		rc, err := zf.OpenRaw()
		if err != nil {
			return nil, err
		}
		if _, err := io.Copy(w, rc); err != nil {
			return nil, err
		}
	}
	body := bytes.Repeat([]byte{sheet.Fill}, chunk)
	seg := deflated(body, false)
	var comp bytes.Buffer
	comp.Write(deflated([]byte(sheet.Prefix), false))
	crc := crc32.ChecksumIEEE([]byte(sheet.Prefix))
	for i := int64(0); i < sheet.N/chunk; i++ {
		comp.Write(seg)
		crc = crc32.Update(crc, crc32.IEEETable, body)
	}
	comp.Write(deflated([]byte(sheet.Suffix), true))
	crc = crc32.Update(crc, crc32.IEEETable, []byte(sheet.Suffix))
	size := int64(len(sheet.Prefix)) + sheet.N/chunk*chunk + int64(len(sheet.Suffix))
	if sheet.Declared != 0 {
		size = sheet.Declared
	}
	w, err := zw.CreateRaw(&zip.FileHeader{Name: "xl/worksheets/sheet1.xml", Method: zip.Deflate, CRC32: crc,
		CompressedSize64: uint64(comp.Len()), UncompressedSize64: uint64(size)})
	if err != nil {
		return nil, err
	}
	if _, err := w.Write(comp.Bytes()); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, fmt.Errorf("close workbook: %w", err)
	}
	return out.Bytes(), nil
}

// Bomb is a workbook of about 1 MB whose sheet, declared honestly, expands
// to 1 GB.
func Bomb() ([]byte, error) {
	return Workbook(Sheet{Prefix: SheetHead, Suffix: SheetTail, Fill: 'a', N: 1 << 30})
}
