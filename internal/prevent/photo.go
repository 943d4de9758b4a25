package prevent

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"path"
	"strings"
	"time"

	"github.com/fanzha/fanzha/internal/area"
	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/domain"
)

// Photos are stored in the database (table prevention_photos, column data),
// next to their event: one backup holds everything, and both engines store
// bytes the same way (BLOB / BYTEA). Limits keep the database small: at most
// MaxPhotos per event, each at most MaxPhotoBytes, and only JPEG, PNG or
// WebP, recognised from the bytes themselves (the name and the browser's
// declared type are not trusted).
const (
	MaxPhotos     = 6
	MaxPhotoBytes = 3 << 20
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

var photoTypes = map[string]bool{"image/jpeg": true, "image/png": true, "image/webp": true}

func checkPhoto(p NewPhoto) (checkedPhoto, error) {
	if len(p.Data) == 0 {
		return checkedPhoto{}, invalid("照片为空")
	}
	if len(p.Data) > MaxPhotoBytes {
		return checkedPhoto{}, invalid("照片 %s 超过 %d MB", p.Name, MaxPhotoBytes>>20)
	}
	ct := http.DetectContentType(p.Data)
	if !photoTypes[ct] {
		return checkedPhoto{}, invalid("照片 %s 不是 JPEG、PNG 或 WebP 图片", p.Name)
	}
	name := path.Base(strings.ReplaceAll(p.Name, "\\", "/"))
	if name == "." || name == "/" {
		name = ""
	}
	if len(name) > 120 {
		name = name[len(name)-120:]
	}
	sum := sha256.Sum256(p.Data)
	return checkedPhoto{name: name, contentType: ct, sum: hex.EncodeToString(sum[:]), data: bytes.Clone(p.Data)}, nil
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
