package investigation

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
	"strconv"
	"strings"
	"time"

	"github.com/disintegration/imaging"
	_ "golang.org/x/image/webp" // WebP images are decoded (and stored as JPEG or PNG)

	"github.com/fanzha/fanzha/internal/area"
	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/domain"
	"github.com/fanzha/fanzha/internal/funds"
)

// Attachments are stored like prevention photos (internal/prevent): in the
// database next to the case, at most MaxAttachments per case, each at most
// MaxAttachmentBytes. The type is found from the bytes, never the name: an
// image (JPEG, PNG, WebP; at most MaxAttachmentPixels) is decoded and
// stored re-encoded from its pixels, so EXIF (the GPS position, the
// phone's serial) and anything appended are gone; a PDF must start with a
// PDF header and end with its %%EOF marker. Reading one is audited.
const (
	MaxAttachments      = 30
	MaxAttachmentBytes  = 10 << 20
	MaxAttachmentPixels = 24_000_000
)

// Attachment describes a stored file (without its bytes).
type Attachment struct {
	ID          int64     `json:"id"`
	CaseID      int64     `json:"case_id"`
	Name        string    `json:"name"`
	ContentType string    `json:"content_type"`
	Size        int64     `json:"size"`
	SHA256      string    `json:"sha256"`
	UserName    string    `json:"user_name"`
	CreatedAt   time.Time `json:"created_at"`
}

// NewAttachment is an uploaded file.
type NewAttachment struct {
	Name string
	Data []byte
}

// checkAttachment finds the file's type from its bytes and returns what is
// stored: the re-encoded image or the PDF as it came, with a clean name.
func checkAttachment(a NewAttachment) (name, contentType string, data []byte, err error) {
	if len(a.Data) == 0 {
		return "", "", nil, domain.Invalid("附件为空")
	}
	name = path.Base(strings.ReplaceAll(a.Name, "\\", "/"))
	if name == "." || name == "/" {
		name = ""
	}
	if len(a.Data) > MaxAttachmentBytes {
		return "", "", nil, domain.Invalid("附件 %s 超过 %d MB", name, MaxAttachmentBytes>>20)
	}
	if bytes.HasPrefix(a.Data, []byte("%PDF-")) {
		tail := a.Data[max(0, len(a.Data)-1024):]
		if !bytes.Contains(tail, []byte("%%EOF")) {
			return "", "", nil, domain.Invalid("附件 %s 不是完整的 PDF 文件", name)
		}
		return withExt(name, ".pdf"), "application/pdf", a.Data, nil
	}
	cfg, format, err := image.DecodeConfig(bytes.NewReader(a.Data))
	if err != nil || (format != "jpeg" && format != "png" && format != "webp") {
		return "", "", nil, domain.Invalid("附件 %s 不是 JPEG、PNG、WebP 图片或 PDF 文件", name)
	}
	if cfg.Width <= 0 || cfg.Height <= 0 || int64(cfg.Width)*int64(cfg.Height) > MaxAttachmentPixels {
		return "", "", nil, domain.Invalid("图片 %s 为 %d×%d 像素，超过 %d 万像素的上限", name, cfg.Width, cfg.Height, MaxAttachmentPixels/10000)
	}
	img, err := imaging.Decode(bytes.NewReader(a.Data), imaging.AutoOrientation(true))
	if err != nil {
		return "", "", nil, domain.Invalid("图片 %s 已损坏，无法读取", name)
	}
	var out bytes.Buffer
	ct, ext := "image/jpeg", ".jpg"
	if o, ok := img.(interface{ Opaque() bool }); format == "png" || (format == "webp" && ok && !o.Opaque()) {
		ct, ext = "image/png", ".png"
		err = png.Encode(&out, img)
	} else {
		err = jpeg.Encode(&out, img, &jpeg.Options{Quality: 90})
	}
	if err != nil {
		return "", "", nil, fmt.Errorf("re-encode %s: %w", name, err)
	}
	if ext == ".jpg" && strings.EqualFold(path.Ext(name), ".jpeg") {
		ext = ".jpeg"
	}
	return withExt(name, ext), ct, out.Bytes(), nil
}

func withExt(name, ext string) string {
	if name != "" && !strings.EqualFold(path.Ext(name), ext) {
		name = strings.TrimSuffix(name, path.Ext(name)) + ext
	}
	if r := []rune(name); len(r) > 120 {
		name = string(r[len(r)-120:])
	}
	return name
}

// AddAttachment stores a file on a case in scope: checked, audited and on
// the case's timeline.
func AddAttachment(ctx context.Context, d *db.DB, scope area.Node, who auth.AuditEntry, caseID int64, a NewAttachment, now time.Time) (Attachment, error) {
	if err := mayWork(who); err != nil {
		return Attachment{}, err
	}
	name, ct, data, err := checkAttachment(a)
	if err != nil {
		return Attachment{}, err
	}
	sum := sha256.Sum256(data)
	out := Attachment{CaseID: caseID, Name: name, ContentType: ct, Size: int64(len(data)), SHA256: hex.EncodeToString(sum[:]), CreatedAt: now}
	err = d.InTx(ctx, func(tx *db.Tx) error {
		if _, err := caseNo(ctx, tx, scope, caseID); err != nil {
			return err
		}
		var n int
		if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM case_attachments WHERE case_id = ?`, caseID).Scan(&n); err != nil {
			return fmt.Errorf("attachments: %w", err)
		}
		if n >= MaxAttachments {
			return domain.Invalid("每起案件最多 %d 个附件", MaxAttachments)
		}
		if err := tx.QueryRow(ctx, `INSERT INTO case_attachments (case_id, name, content_type, size, sha256, data, created_by, created_at)
			VALUES (?,?,?,?,?,?,?,?) RETURNING id`, caseID, name, ct, out.Size, out.SHA256, data, nullID(who.UserID), db.Millis(now)).Scan(&out.ID); err != nil {
			return fmt.Errorf("attachment: %w", err)
		}
		if err := funds.AddCaseEvent(ctx, tx, caseID, now, "attachment", who.UserID, "上传附件："+name); err != nil {
			return err
		}
		e := who.With(auth.AuditUpdate, "case", strconv.FormatInt(caseID, 10))
		e.At, e.Detail = now, "attachment "+strconv.FormatInt(out.ID, 10)+" "+ct+" "+out.SHA256
		return auth.Audit(ctx, tx, e)
	})
	if err != nil {
		return Attachment{}, err
	}
	return out, nil
}

// CaseAttachments lists the files of a case in scope (without their bytes).
func CaseAttachments(ctx context.Context, q db.Querier, scope area.Node, caseID int64) ([]Attachment, error) {
	if _, err := caseNo(ctx, q, scope, caseID); err != nil {
		return nil, err
	}
	rows, err := q.Query(ctx, `SELECT f.id, f.case_id, f.name, f.content_type, f.size, f.sha256, COALESCE(u.display_name, ''), f.created_at
		FROM case_attachments f LEFT JOIN users u ON u.id = f.created_by WHERE f.case_id = ? ORDER BY f.id`, caseID)
	if err != nil {
		return nil, fmt.Errorf("attachments: %w", err)
	}
	defer rows.Close()
	out := []Attachment{}
	for rows.Next() {
		var a Attachment
		var at int64
		if err := rows.Scan(&a.ID, &a.CaseID, &a.Name, &a.ContentType, &a.Size, &a.SHA256, &a.UserName, &at); err != nil {
			return nil, fmt.Errorf("attachments: %w", err)
		}
		a.CreatedAt = db.Time(at)
		out = append(out, a)
	}
	return out, rows.Err()
}

// AttachmentData returns a file of a case in scope with its bytes, and
// writes the read to the audit log (view case_attachment <id>).
func AttachmentData(ctx context.Context, q db.Querier, scope area.Node, who auth.AuditEntry, id int64, now time.Time) (Attachment, []byte, error) {
	var a Attachment
	var at int64
	var data []byte
	err := q.QueryRow(ctx, `SELECT f.id, f.case_id, f.name, f.content_type, f.size, f.sha256, f.created_at, f.data
		FROM case_attachments f JOIN cases c ON c.id = f.case_id JOIN areas ar ON ar.id = c.area_id WHERE f.id = ? AND ar.path LIKE ?`,
		id, scope.SubtreePattern()).Scan(&a.ID, &a.CaseID, &a.Name, &a.ContentType, &a.Size, &a.SHA256, &at, &data)
	if errors.Is(err, sql.ErrNoRows) {
		return Attachment{}, nil, fmt.Errorf("attachment %d: %w", id, domain.ErrNotFound)
	}
	if err != nil {
		return Attachment{}, nil, fmt.Errorf("attachment %d: %w", id, err)
	}
	a.CreatedAt = db.Time(at)
	e := who.With(auth.AuditView, "case_attachment", strconv.FormatInt(id, 10))
	e.At, e.Detail = now, "case "+strconv.FormatInt(a.CaseID, 10)+" "+a.Name
	if err := auth.Audit(ctx, q, e); err != nil {
		return Attachment{}, nil, err
	}
	return a, data, nil
}
