package seal

import (
	"context"
	"crypto/ecdsa"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/sejour/sejour/internal/clock"
	"github.com/sejour/sejour/internal/permit"
)

// KeyStore keeps the signing keys where every instance of the portal
// reads them: the database (store.Keys).
type KeyStore interface {
	// SigningKeys returns every stored key, by sequence number.
	SigningKeys(ctx context.Context) ([]permit.SigningKey, error)
	// AddSigningKeys stores each key whose sequence number is free and
	// returns every stored key, by sequence number, in one transaction.
	AddSigningKeys(ctx context.Context, keys []permit.SigningKey) ([]permit.SigningKey, error)
	// RetireSigningKey removes a key; the newest is refused (conflict).
	RetireSigningKey(ctx context.Context, kid string) error
}

// Options configure Open.
type Options struct {
	Store KeyStore
	KEK   []byte // the key-encryption key, KEKSize bytes
	Clock clock.Clock
	// ImportDir holds the key files of earlier versions (KeyDir), imported
	// when the database has no key yet; empty imports nothing.
	ImportDir string
	Logger    *slog.Logger
	// MaxAge bounds how old the keys in use may be: older, they are read
	// again before signing or publishing. Default one minute.
	MaxAge time.Duration
	// MissEvery bounds the reads caused by codes naming a key this
	// instance does not know (a new key, or a forged code). Default 5 s.
	MissEvery time.Duration
}

// Shared is the portal's keyring as every instance shares it: kept in
// the database, private keys sealed with the key-encryption key, and read
// through a cache. A key made by another instance (a rotation) is used
// without a restart: a code naming an unknown key makes it read the keys
// again (at most once every MissEvery), and signing and publishing read
// them again when they are older than MaxAge. Safe for concurrent use.
type Shared struct {
	store           KeyStore
	sealer          sealer
	clock           clock.Clock
	logger          *slog.Logger
	maxAge, missGap time.Duration
	cur             atomic.Pointer[snapshot]
	tokens          Tokens
	mu              sync.Mutex // one read of the database at a time
	lastMiss        time.Time  // under mu
}

type snapshot struct {
	ring   *Keyring
	readAt time.Time
	failed time.Time // the last read that failed since readAt, if any
}

// readWait bounds one read of the keys: past it, the keys read before are
// used (verifying needs no database).
const readWait = 2 * time.Second

// Open reads the shared keyring. On the first start of the portal it
// makes key 1, or imports the key files of ImportDir; of two instances
// starting at once, one stores its key and the other reads it.
func Open(ctx context.Context, o Options) (*Shared, error) {
	s := &Shared{store: o.Store, clock: o.Clock, logger: o.Logger, maxAge: o.MaxAge, missGap: o.MissEvery}
	if s.maxAge == 0 {
		s.maxAge = time.Minute
	}
	if s.missGap == 0 {
		s.missGap = 5 * time.Second
	}
	if s.logger == nil {
		s.logger = slog.New(slog.DiscardHandler)
	}
	var err error
	if s.sealer, err = newSealer(o.KEK); err != nil {
		return nil, err
	}
	if s.tokens, err = NewTokens(o.KEK); err != nil {
		return nil, err
	}
	rows, err := s.store.SigningKeys(ctx)
	if err != nil {
		return nil, fmt.Errorf("keys: %w", err)
	}
	files, err := keyFiles(o.ImportDir)
	if err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		if rows, err = s.first(ctx, files); err != nil {
			return nil, err
		}
	}
	if err := s.install(rows); err != nil {
		return nil, err
	}
	s.warnNotImported(o.ImportDir, files)
	return s, nil
}

// keyFiles reads the key files of dir; an absent or empty dir has none.
func keyFiles(dir string) (*Keyring, error) {
	if dir == "" {
		return &Keyring{}, nil
	}
	if _, err := os.Stat(dir); errors.Is(err, fs.ErrNotExist) {
		return &Keyring{}, nil
	}
	return load(dir)
}

// first stores the first keys: the imported files, or a new key 1.
func (s *Shared) first(ctx context.Context, files *Keyring) ([]permit.SigningKey, error) {
	keys := files.keys
	if len(keys) == 0 {
		k, err := newKey(1, s.clock.Now())
		if err != nil {
			return nil, err
		}
		keys = []*signingKey{k}
	}
	rows := make([]permit.SigningKey, 0, len(keys))
	for _, k := range keys {
		row, err := s.sealer.seal(k)
		if err != nil {
			return nil, err
		}
		rows = append(rows, row)
	}
	stored, err := s.store.AddSigningKeys(ctx, rows)
	if err != nil {
		return nil, fmt.Errorf("keys: %w", err)
	}
	return stored, nil
}

// warnNotImported names the key files whose keys the database does not
// have: another instance imported or made the first keys, and codes these
// files signed will read "unknown key".
func (s *Shared) warnNotImported(dir string, files *Keyring) {
	ring := s.cur.Load().ring
	for _, k := range files.keys {
		if _, ok := ring.PublicKey(k.ID); !ok {
			s.logger.Warn("a key file of the data directory is not in the shared keyring; codes it signed do not verify",
				"dir", dir, "kid", k.ID, "seq", k.seq)
		}
	}
}

// install makes rows the keys in use. Only the newest key's private half
// is decrypted, once per key.
func (s *Shared) install(rows []permit.SigningKey) error {
	if len(rows) == 0 {
		return errors.New("keys: the database holds no signing key")
	}
	ring := &Keyring{}
	for _, row := range rows {
		k, err := public(row)
		if err != nil {
			return err
		}
		ring.keys = append(ring.keys, k)
	}
	slices.SortFunc(ring.keys, func(a, b *signingKey) int { return a.seq - b.seq })
	newest := ring.active()
	if old := s.cur.Load(); old != nil && old.ring.active().ID == newest.ID {
		newest.priv = old.ring.active().priv
	} else {
		i := slices.IndexFunc(rows, func(r permit.SigningKey) bool { return r.ID == newest.ID })
		if err := s.sealer.open(rows[i], newest); err != nil {
			return err
		}
	}
	s.cur.Store(&snapshot{ring: ring, readAt: s.clock.Now()})
	return nil
}

// refresh reads the keys again unless another goroutine did since seen.
func (s *Shared) refresh(ctx context.Context, seen *snapshot) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.refreshLocked(ctx, seen)
}

// refreshLocked is refresh under mu. A failed read is noted in the
// snapshot, so that the next try waits MissEvery.
func (s *Shared) refreshLocked(ctx context.Context, seen *snapshot) error {
	if s.cur.Load() != seen {
		return nil
	}
	rows, err := s.store.SigningKeys(ctx)
	if err == nil {
		err = s.install(rows)
	}
	if err != nil {
		s.cur.Store(&snapshot{ring: seen.ring, readAt: seen.readAt, failed: s.clock.Now()})
		return fmt.Errorf("keys: %w", err)
	}
	return nil
}

// Keyring returns the keys in use, read again first if older than MaxAge.
// When the database does not answer, the keys read last are used: they
// still sign and verify. Only one caller reads at a time, the others use
// the keys in memory meanwhile, and after a failed read the next waits
// MissEvery: a database down or frozen costs one caller readWait now and
// then, never every caller.
func (s *Shared) Keyring(ctx context.Context) *Keyring {
	snap := s.cur.Load()
	if s.stale(snap) && s.mu.TryLock() {
		err := s.refreshLocked(ctx, snap)
		s.mu.Unlock()
		if err != nil {
			s.logger.Warn("signing keys not read again; using those read before", "err", err, "read_at", snap.readAt)
		}
	}
	return s.cur.Load().ring
}

// stale reports whether the keys of snap are due to be read again.
func (s *Shared) stale(snap *snapshot) bool {
	now := s.clock.Now()
	return now.Sub(snap.readAt) >= s.maxAge && (snap.failed.IsZero() || now.Sub(snap.failed) >= s.missGap)
}

// inUse is Keyring with a bounded read, when one is due: the keys in
// memory at once, without a context to make, when none is (nearly always:
// the verifier and signing call it each time).
func (s *Shared) inUse() *Keyring {
	if snap := s.cur.Load(); !s.stale(snap) {
		return snap.ring
	}
	ctx, cancel := context.WithTimeout(context.Background(), readWait)
	defer cancel()
	return s.Keyring(ctx)
}

// PublicKey returns the public key kid, reading the keys again when kid
// is unknown (another instance may have just made it), at most once every
// MissEvery, so that forged key ids do not reach the database each time.
func (s *Shared) PublicKey(kid string) (*ecdsa.PublicKey, bool) {
	snap := s.cur.Load()
	if k, ok := s.inUse().PublicKey(kid); ok {
		return k, true
	}
	s.mu.Lock()
	now := s.clock.Now()
	due := s.lastMiss.IsZero() || now.Sub(s.lastMiss) >= s.missGap
	if due {
		s.lastMiss = now
	}
	s.mu.Unlock()
	if !due {
		return nil, false
	}
	ctx, cancel := context.WithTimeout(context.Background(), readWait)
	defer cancel()
	if err := s.refresh(ctx, snap); err != nil {
		s.logger.Warn("signing keys not read again for an unknown key id", "err", err, "kid", kid)
	}
	return s.cur.Load().ring.PublicKey(kid)
}

func (s *Shared) signingKey() (*signingKey, error) { return s.inUse().active(), nil }

// PublicKeySet returns the JWK Set of the keys in use, newest first, to
// publish at /.well-known/sejour/keys.json.
func (s *Shared) PublicKeySet() ([]byte, error) { return s.inUse().PublicKeySet() }

// Rotate adds a new key, which signs from then on, here at once and in
// every other instance when it next reads the keys (MaxAge at most); the
// older keys stay for verification. When another instance rotated at the
// same moment, its key is kept and this one is not stored.
func (s *Shared) Rotate(ctx context.Context) (*Keyring, error) {
	rows, err := s.store.SigningKeys(ctx)
	if err != nil {
		return nil, fmt.Errorf("keys: %w", err)
	}
	seq := 1
	if len(rows) > 0 {
		seq = rows[len(rows)-1].Seq + 1
	}
	k, err := newKey(seq, s.clock.Now())
	if err != nil {
		return nil, err
	}
	row, err := s.sealer.seal(k)
	if err != nil {
		return nil, err
	}
	if rows, err = s.store.AddSigningKeys(ctx, []permit.SigningKey{row}); err != nil {
		return nil, fmt.Errorf("keys: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.install(rows); err != nil {
		return nil, err
	}
	ring := s.cur.Load().ring
	if ring.ActiveKeyID() != k.ID {
		return ring, fmt.Errorf("keys: another process added key %d at the same time; it signs (%s), no key was added here", seq, ring.ActiveKeyID())
	}
	return ring, nil
}

// Retire removes the key kid from the shared keyring: it is no longer
// published, and codes it signed read "unknown key" wherever the keys are
// read again. For a key that leaked; the signing key cannot be retired.
func (s *Shared) Retire(ctx context.Context, kid string) error {
	if kid == s.Keyring(ctx).ActiveKeyID() {
		return fmt.Errorf("keys: %s is the key that signs: rotate first, then retire it", kid)
	}
	if err := s.store.RetireSigningKey(ctx, kid); err != nil {
		if permit.ErrorCode(err) == permit.ENOTFOUND {
			return fmt.Errorf("keys: no key %s", kid)
		}
		return fmt.Errorf("keys: %w", err)
	}
	return s.refresh(ctx, s.cur.Load())
}

// Tokens returns the signer of the portal's tokens (session proofs,
// filing tickets), derived from the key-encryption key.
func (s *Shared) Tokens() Tokens { return s.tokens }

// InMemory signs with the keys read last, never reading the database:
// for the attestation of an attempted filing, given when the database is
// down (a read would only wait for its timeout).
func (s *Shared) InMemory() Signer { return inMemory{s} }

type inMemory struct{ s *Shared }

func (m inMemory) signingKey() (*signingKey, error) { return m.s.cur.Load().ring.active(), nil }
