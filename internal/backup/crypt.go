package backup

import (
	"bytes"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/minio/sio"
)

// Encrypted archives. An archive made with a key is the same tar.gz,
// encrypted as a stream with AES-256-GCM in 64 KiB packages (the DARE 2.0
// format of github.com/minio/sio: every package authenticated, their order
// and the final package bound by the nonce, so a reordered, cut or altered
// archive fails to decrypt) behind a short clear header:
//
//	"FZBKENC1"  8 bytes: magic and format version
//	key id      8 bytes: names the key (SHA-256 of a tag and the key), so the
//	            right one of several keys is picked and a wrong one is named
//	salt       32 bytes: random per archive
//
// The stream key is HKDF-SHA256(key, salt), so no two archives share a
// stream key even under one backup key. The backup key is 32 random bytes
// kept in a file (hex or base64 text, `fanzha backup keygen`) or in the
// FANZHA_BACKUP_KEY environment variable — never in the database nor in the
// archive. Key rotation: make a new key, back up with it, and keep the old
// key files as long as archives made with them are kept; restore and
// verify accept several keys and use the one the archive names.

const encMagic = "FZBKENC1"

const encHeaderSize = len(encMagic) + 8 + 32

// ErrKey marks a missing, malformed or wrong backup key.
var ErrKey = errors.New("backup key")

// Key is a backup encryption key.
type Key struct {
	ID  string // 16 hex digits, printed and written into archives
	key []byte
}

func keyID(k []byte) string {
	h := sha256.Sum256(append([]byte("fanzha backup key id\x00"), k...))
	return hex.EncodeToString(h[:8])
}

// ParseKey reads a key written as 64 hex digits or as base64 of 32 bytes
// (surrounding white space ignored), or as 32 raw bytes.
func ParseKey(b []byte) (Key, error) {
	s := strings.TrimSpace(string(b))
	var k []byte
	if raw, err := hex.DecodeString(s); err == nil && len(raw) == 32 {
		k = raw
	} else if raw, err := base64.StdEncoding.DecodeString(s); err == nil && len(raw) == 32 {
		k = raw
	} else if len(b) == 32 {
		k = bytes.Clone(b)
	} else {
		return Key{}, fmt.Errorf("%w: a backup key is 32 bytes written as 64 hex digits or base64 (make one with `fanzha backup keygen`)", ErrKey)
	}
	return Key{ID: keyID(k), key: k}, nil
}

// ReadKeyFile reads a key file. It should be readable by the service's
// user (and at most its group, e.g. root:fanzha 0640); a key file that any
// user of the machine may read is refused.
func ReadKeyFile(path string) (Key, error) {
	st, err := os.Stat(path)
	if err != nil {
		return Key{}, fmt.Errorf("%w: %v", ErrKey, err)
	}
	if st.Mode().Perm()&0o007 != 0 {
		return Key{}, fmt.Errorf("%w: %s can be read by every user of the machine (mode %v): chmod 600 it", ErrKey, path, st.Mode().Perm())
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return Key{}, fmt.Errorf("%w: %v", ErrKey, err)
	}
	k, err := ParseKey(b)
	if err != nil {
		return Key{}, fmt.Errorf("%s: %w", path, err)
	}
	return k, nil
}

// NewKey makes a random key and returns it with its text form (hex).
func NewKey() (Key, string, error) {
	k := make([]byte, 32)
	if _, err := rand.Read(k); err != nil {
		return Key{}, "", err
	}
	return Key{ID: keyID(k), key: k}, hex.EncodeToString(k) + "\n", nil
}

func (k Key) streamConfig(salt []byte) (sio.Config, error) {
	sk, err := hkdf.Key(sha256.New, k.key, salt, "fanzha backup archive v1 AES-256-GCM", 32)
	if err != nil {
		return sio.Config{}, err
	}
	return sio.Config{MinVersion: sio.Version20, MaxVersion: sio.Version20, CipherSuites: []byte{sio.AES_256_GCM}, Key: sk}, nil
}

// encryptTo writes the clear header to w and returns the writer that
// encrypts what is written to it; closing it writes the final package.
func (k Key) encryptTo(w io.Writer) (io.WriteCloser, error) {
	salt := make([]byte, 32)
	if _, err := rand.Read(salt); err != nil {
		return nil, err
	}
	id, _ := hex.DecodeString(k.ID)
	if _, err := w.Write(append(append([]byte(encMagic), id...), salt...)); err != nil {
		return nil, err
	}
	cfg, err := k.streamConfig(salt)
	if err != nil {
		return nil, err
	}
	// sio closes its destination when it is a Closer: the caller owns w.
	return sio.EncryptWriter(struct{ io.Writer }{w}, cfg)
}

// decrypting returns a reader of the archive's clear bytes: r itself for
// an unencrypted archive, the decrypted stream for an encrypted one (with
// the key among keys that the archive names). It also tells whether the
// archive was encrypted and with which key id.
func decrypting(r io.Reader, name string, keys []Key) (io.Reader, string, error) {
	head := make([]byte, encHeaderSize)
	n, err := io.ReadFull(r, head)
	if n < len(encMagic) || string(head[:len(encMagic)]) != encMagic {
		// Not encrypted: give the bytes read back.
		return io.MultiReader(bytes.NewReader(head[:n]), r), "", nil
	}
	if err != nil {
		return nil, "", fmt.Errorf("%w: %s: the encrypted archive's header is cut short", ErrCorrupt, name)
	}
	id := hex.EncodeToString(head[len(encMagic) : len(encMagic)+8])
	if len(keys) == 0 {
		return nil, id, fmt.Errorf("%w: %s is encrypted (key id %s): give its key with --key-file FILE or FANZHA_BACKUP_KEY", ErrKey, name, id)
	}
	for _, k := range keys {
		if k.ID != id {
			continue
		}
		cfg, err := k.streamConfig(head[len(encMagic)+8:])
		if err != nil {
			return nil, id, err
		}
		dr, err := sio.DecryptReader(r, cfg)
		if err != nil {
			return nil, id, err
		}
		return &decryptErrors{r: dr, name: name}, id, nil
	}
	given := make([]string, len(keys))
	for i, k := range keys {
		given[i] = k.ID
	}
	return nil, id, fmt.Errorf("%w: %s was encrypted with key id %s; the key(s) given are %s: give the key it was made with (keep old keys after a rotation)",
		ErrKey, name, id, strings.Join(given, ", "))
}

// decryptErrors reports a failed authentication as a corrupt archive.
type decryptErrors struct {
	r    io.Reader
	name string
}

func (d *decryptErrors) Read(p []byte) (int, error) {
	n, err := d.r.Read(p)
	var se sio.Error
	if errors.As(err, &se) {
		err = fmt.Errorf("%w: %s does not decrypt (%v): it was changed or cut after it was written", ErrCorrupt, d.name, se)
	}
	return n, err
}
