package prevent

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"strings"
	"testing"

	"github.com/fanzha/fanzha/internal/domain"
)

// gpsLatitude is the GPS latitude 28°7'31.23" as EXIF writes it (three
// little-endian rationals): the bytes that must not survive.
var gpsLatitude = func() []byte {
	b := make([]byte, 24)
	for i, v := range []uint32{28, 1, 7, 1, 3123, 100} {
		binary.LittleEndian.PutUint32(b[4*i:], v)
	}
	return b
}()

// exifAPP1 is an APP1 segment with an EXIF block: orientation 6 (the
// camera was turned: rotate 90° clockwise to view) and a GPS latitude.
func exifAPP1() []byte {
	var t bytes.Buffer
	le := binary.LittleEndian
	t.WriteString("II")
	_ = binary.Write(&t, le, uint16(42))
	_ = binary.Write(&t, le, uint32(8))
	// IFD0 at 8: orientation, GPS IFD pointer.
	_ = binary.Write(&t, le, uint16(2))
	_ = binary.Write(&t, le, []uint16{0x0112, 3})
	_ = binary.Write(&t, le, uint32(1))
	_ = binary.Write(&t, le, []uint16{6, 0})
	_ = binary.Write(&t, le, []uint16{0x8825, 4})
	_ = binary.Write(&t, le, uint32(1))
	_ = binary.Write(&t, le, uint32(38))
	_ = binary.Write(&t, le, uint32(0))
	// GPS IFD at 38: latitude ref "N", latitude at 68.
	_ = binary.Write(&t, le, uint16(2))
	_ = binary.Write(&t, le, []uint16{0x0001, 2})
	_ = binary.Write(&t, le, uint32(2))
	t.Write([]byte{'N', 0, 0, 0})
	_ = binary.Write(&t, le, []uint16{0x0002, 5})
	_ = binary.Write(&t, le, uint32(3))
	_ = binary.Write(&t, le, uint32(68))
	_ = binary.Write(&t, le, uint32(0))
	t.Write(gpsLatitude)
	payload := append([]byte("Exif\x00\x00"), t.Bytes()...)
	seg := []byte{0xFF, 0xE1, 0, 0}
	binary.BigEndian.PutUint16(seg[2:], uint16(len(payload)+2))
	return append(seg, payload...)
}

// phonePhoto is a 16×8 JPEG as a phone writes it: EXIF with GPS right
// after the start of image, and a comment appended after its end.
func phonePhoto(t *testing.T) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 16, 8))
	for x := 0; x < 16; x++ {
		for y := 0; y < 8; y++ {
			img.Set(x, y, color.RGBA{uint8(x * 16), uint8(y * 32), 90, 255})
		}
	}
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, &jpeg.Options{Quality: 95}); err != nil {
		t.Fatal(err)
	}
	raw := b.Bytes()
	out := append([]byte{}, raw[:2]...)
	out = append(out, exifAPP1()...)
	out = append(out, raw[2:]...)
	return append(out, "<script>alert(1)</script>"...)
}

// Photos: the GPS position and every other metadata byte are gone from
// what is stored, the orientation is applied, and the type is decided by
// decoding, not by the first bytes.
func TestPhotoStripsEXIFAndDecodes(t *testing.T) {
	in := phonePhoto(t)
	if !bytes.Contains(in, gpsLatitude) || !bytes.Contains(in, []byte("Exif\x00\x00")) {
		t.Fatal("the test photo lacks its EXIF")
	}
	got, err := checkPhoto(NewPhoto{Name: "IMG_0001.JPG", Data: in})
	if err != nil {
		t.Fatal(err)
	}
	for _, leak := range [][]byte{gpsLatitude, []byte("Exif"), []byte("<script>")} {
		if bytes.Contains(got.data, leak) {
			t.Errorf("stored photo still contains %q", leak)
		}
	}
	cfg, format, err := image.DecodeConfig(bytes.NewReader(got.data))
	if err != nil || format != "jpeg" || got.contentType != "image/jpeg" {
		t.Fatalf("stored photo: %v %s %s", err, format, got.contentType)
	}
	if cfg.Width != 8 || cfg.Height != 16 {
		t.Errorf("stored photo is %d×%d, want 8×16 (orientation 6 applied)", cfg.Width, cfg.Height)
	}
	if got.name != "IMG_0001.JPG" {
		t.Errorf("name %q", got.name)
	}

	// The magic bytes of a JPEG (or PNG) before anything else are not an
	// image; nor is a GIF; nor an image declaring a billion pixels.
	var huge bytes.Buffer
	_ = png.Encode(&huge, image.NewGray(image.Rect(0, 0, 1, 1)))
	hugeHeader := huge.Bytes()
	binary.BigEndian.PutUint32(hugeHeader[16:], 40000) // IHDR width
	binary.BigEndian.PutUint32(hugeHeader[20:], 40000) // IHDR height
	binary.BigEndian.PutUint32(hugeHeader[29:], crc32.ChecksumIEEE(hugeHeader[12:29]))
	if _, err := checkPhoto(NewPhoto{Name: "giant.png", Data: hugeHeader}); err == nil || !strings.Contains(err.Error(), "万像素") {
		t.Errorf("a PNG declaring 40000×40000: %v, want refused by the pixel limit", err)
	}
	for name, data := range map[string][]byte{
		"fake.jpg":  append([]byte("\xff\xd8\xff\xe0\x00\x10JFIF\x00"), bytes.Repeat([]byte("<html>"), 100)...),
		"fake.png":  append([]byte("\x89PNG\r\n\x1a\n"), bytes.Repeat([]byte{1}, 100)...),
		"a.gif":     []byte("GIF89a\x01\x00\x01\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x00;"),
		"giant.png": hugeHeader,
	} {
		if _, err := checkPhoto(NewPhoto{Name: name, Data: data}); !errors.Is(err, domain.ErrInvalid) {
			t.Errorf("%s: %v, want refused as invalid", name, err)
		}
	}
}
