package prevent

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"image"
	"image/jpeg"
	"image/png"
	"path"
	"strings"
	"time"

	"github.com/disintegration/imaging"
	_ "golang.org/x/image/webp" // WebP photos are decoded (and stored as JPEG or PNG)

	"github.com/fanzha/fanzha/internal/area"
	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/domain"
)

// Photos are stored in the database (table prevention_photos, column data),
// next to their event: one backup holds everything, and both engines store
// bytes the same way (BLOB / BYTEA). Limits keep the database small: at most
// MaxPhotos per event, each at most MaxPhotoBytes and MaxPhotoPixels, and
// only JPEG, PNG or WebP, recognised by decoding the image (the name, the
// browser's declared type and the first bytes are not trusted). What is
// stored is the image re-encoded from its pixels: EXIF (with the GPS
// position where the photo was taken, the phone's make and serial),
// XMP, comments and anything appended to the file are gone; the EXIF
// orientation is applied first, so the photo stays upright. JPEG and
// opaque WebP are stored as JPEG, PNG and WebP with transparency as PNG.
const (
	MaxPhotos     = 6
	MaxPhotoBytes = 3 << 20
	// MaxPhotoPixels bounds the decoded size (a small file can declare
	// a huge image): 24 megapixels, a camera's full resolution.
	MaxPhotoPixels = 24_000_000
	// photoQuality is the JPEG quality of the re-encoded photo.
	photoQuality = 90
)

// Photo describes a stored photo (without its bytes).
type Photo struct {
	ID          int64     `json:"id"`
	EventID     int64     `json:"event_id"`
	Name        string    `json:"name"`
	ContentType string    `json:"content_type"`
	Size        int64     `json:"size"`
	SHA256      string    `json:"sha256"`
	CreatedAt   time.Time `json:"created_at"`
}

// NewPhoto is an uploaded photo.
type NewPhoto struct {
	Name string
	Data []byte
}

type checkedPhoto struct {
	name, contentType, sum string
	data                   []byte
}

// photoFormats are the formats accepted, by the name image.DecodeConfig
// gives them.
var photoFormats = map[string]bool{"jpeg": true, "png": true, "webp": true}

func checkPhoto(p NewPhoto) (checkedPhoto, error) {
	if len(p.Data) == 0 {
		return checkedPhoto{}, invalid("照片为空")
	}
	if len(p.Data) > MaxPhotoBytes {
		return checkedPhoto{}, invalid("照片 %s 超过 %d MB", p.Name, MaxPhotoBytes>>20)
	}
	name := path.Base(strings.ReplaceAll(p.Name, "\\", "/"))
	if name == "." || name == "/" {
		name = ""
	}
	cfg, format, err := image.DecodeConfig(bytes.NewReader(p.Data))
	if err != nil || !photoFormats[format] {
		return checkedPhoto{}, invalid("照片 %s 不是 JPEG、PNG 或 WebP 图片", name)
	}
	if cfg.Width <= 0 || cfg.Height <= 0 || int64(cfg.Width)*int64(cfg.Height) > MaxPhotoPixels {
		return checkedPhoto{}, invalid("照片 %s 为 %d×%d 像素，超过 %d 万像素的上限，请缩小后上传", name, cfg.Width, cfg.Height, MaxPhotoPixels/10000)
	}
	img, err := imaging.Decode(bytes.NewReader(p.Data), imaging.AutoOrientation(true))
	if err != nil {
		return checkedPhoto{}, invalid("照片 %s 已损坏，无法读取", name)
	}
	var out bytes.Buffer
	ct, ext := "image/jpeg", ".jpg"
	if o, ok := img.(interface{ Opaque() bool }); format == "png" || (format == "webp" && ok && !o.Opaque()) {
		ct, ext = "image/png", ".png"
		err = png.Encode(&out, img)
	} else {
		err = jpeg.Encode(&out, img, &jpeg.Options{Quality: photoQuality})
	}
	if err != nil {
		return checkedPhoto{}, fmt.Errorf("re-encode photo %s: %w", name, err)
	}
	if name != "" && !strings.EqualFold(path.Ext(name), ext) && !(ext == ".jpg" && strings.EqualFold(path.Ext(name), ".jpeg")) {
		name = strings.TrimSuffix(name, path.Ext(name)) + ext
	}
	if len(name) > 120 {
		name = name[len(name)-120:]
	}
	data := out.Bytes()
	sum := sha256.Sum256(data)
	return checkedPhoto{name: name, contentType: ct, sum: hex.EncodeToString(sum[:]), data: data}, nil
}

// PhotoData returns a photo's description and bytes, when its event lies in
// scope (and, with createdBy not 0, was logged by that user).
func PhotoData(ctx context.Context, q db.Querier, scope area.Node, photoID, createdBy int64) (Photo, []byte, error) {
	cond, arg := area.UnderClause("e.area_id", scope)
	var p Photo
	var at int64
	var data []byte
	err := q.QueryRow(ctx, `SELECT p.id, p.event_id, p.name, p.content_type, p.size, p.sha256, p.created_at, p.data
		FROM prevention_photos p JOIN prevention_events e ON e.id = p.event_id
		WHERE p.id = ? AND `+cond+` AND (? = 0 OR e.created_by = ?)`, photoID, arg, createdBy, createdBy).
		Scan(&p.ID, &p.EventID, &p.Name, &p.ContentType, &p.Size, &p.SHA256, &at, &data)
	if errors.Is(err, sql.ErrNoRows) {
		return Photo{}, nil, fmt.Errorf("photo %d: %w", photoID, domain.ErrNotFound)
	}
	if err != nil {
		return Photo{}, nil, fmt.Errorf("photo %d: %w", photoID, err)
	}
	p.CreatedAt = db.Time(at)
	return p, data, nil
}
