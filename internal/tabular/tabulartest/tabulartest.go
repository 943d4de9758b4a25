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
	// Media parts of MediaBytes zeros each are added (xl/media/imageK.png):
	// parts excelize reads into memory whole.
	Media      int
	MediaBytes int64
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
	if err := addPart(zw, "xl/worksheets/sheet1.xml", sheet.Prefix, sheet.Fill, sheet.N, sheet.Suffix, sheet.Declared); err != nil {
		return nil, err
	}
	for k := 1; k <= sheet.Media; k++ {
		if err := addPart(zw, fmt.Sprintf("xl/media/image%d.png", k), "", 0, sheet.MediaBytes, "", 0); err != nil {
			return nil, err
		}
	}
	if err := zw.Close(); err != nil {
		return nil, fmt.Errorf("close workbook: %w", err)
	}
	return out.Bytes(), nil
}

// addPart writes a part of prefix, n bytes fill (whole MiB) and suffix,
// compressed by repeating one compressed MiB; declared, when not 0, is the
// size written in the archive.
func addPart(zw *zip.Writer, name, prefix string, fill byte, n int64, suffix string, declared int64) error {
	body := bytes.Repeat([]byte{fill}, chunk)
	seg := deflated(body, false)
	var comp bytes.Buffer
	comp.Write(deflated([]byte(prefix), false))
	crc := crc32.ChecksumIEEE([]byte(prefix))
	for i := int64(0); i < n/chunk; i++ {
		comp.Write(seg)
		crc = crc32.Update(crc, crc32.IEEETable, body)
	}
	comp.Write(deflated([]byte(suffix), true))
	crc = crc32.Update(crc, crc32.IEEETable, []byte(suffix))
	size := int64(len(prefix)) + n/chunk*chunk + int64(len(suffix))
	if declared != 0 {
		size = declared
	}
	w, err := zw.CreateRaw(&zip.FileHeader{Name: name, Method: zip.Deflate, CRC32: crc,
		CompressedSize64: uint64(comp.Len()), UncompressedSize64: uint64(size)})
	if err != nil {
		return err
	}
	_, err = w.Write(comp.Bytes())
	return err
}

// Bomb is a workbook of about 1 MB whose sheet, declared honestly, expands
// to 1 GB.
func Bomb() ([]byte, error) {
	return Workbook(Sheet{Prefix: SheetHead, Suffix: SheetTail, Fill: 'a', N: 1 << 30})
}
