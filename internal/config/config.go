// Package config loads waybill's configuration: defaults, then an optional YAML file, then
// WAYBILL_* environment variables (WAYBILL_SECTION_KEY, e.g. WAYBILL_HTTP_ADDR). Load validates
// the result and reports every problem at once; Redacted renders it with secrets masked. It
// reads files and the environment it is given, nothing else.
package config

import (
	"fmt"
	"net"
	"net/url"
	"os"
	"reflect"
	"sort"
	"strings"
	"time"

	"github.com/knadh/koanf/parsers/yaml"
	"github.com/knadh/koanf/providers/file"
	"github.com/knadh/koanf/providers/structs"
	"github.com/knadh/koanf/v2"
)

// Config is the whole configuration of a node.
type Config struct {
	HTTP     HTTP     `koanf:"http"`
	Database Database `koanf:"database"`
	Keys     Keys     `koanf:"keys"`
	Log      Log      `koanf:"log"`
	Jobs     Jobs     `koanf:"jobs"`
	Webhook  Webhook  `koanf:"webhook"`

	Decisions Decisions `koanf:"decisions"`
	TRP       TRP       `koanf:"trp"`
	TRISA     TRISA     `koanf:"trisa"`
	Email     Email     `koanf:"email"`
	Web       Web       `koanf:"web"`
}

// HTTP is the API, dashboard and peer-facing HTTP listener.
type HTTP struct {
	// Addr is the listen address.
	Addr string `koanf:"addr"`
	// BaseURL is the public URL of this node (links in e-mails, travel addresses).
	BaseURL string `koanf:"base_url"`
	// MaxBodyBytes bounds request bodies.
	MaxBodyBytes int64 `koanf:"max_body_bytes"`
	// ShutdownTimeout bounds the graceful stop of each stage.
	ShutdownTimeout time.Duration `koanf:"shutdown_timeout"`
}

// Database selects and tunes the store.
type Database struct {
	// URL is "sqlite:PATH" (default sqlite:waybill.db) or "postgres://...".
	URL string `koanf:"url"`
	// SQLiteSynchronous is full (survives power loss) or normal (survives a crash).
	SQLiteSynchronous string `koanf:"sqlite_synchronous"`
	// MaxConns bounds the PostgreSQL pool.
	MaxConns int `koanf:"max_conns"`
}

// Keys locates the master key that wraps every VASP's data key.
type Keys struct {
	// MasterKey is the base64 master key; when empty, MasterKeyFile is read or created.
	MasterKey string `koanf:"master_key"`
	// MasterKeyFile is created with mode 0600 on first start when absent.
	MasterKeyFile string `koanf:"master_key_file"`
}

// Log configures logging.
type Log struct {
	Level  string `koanf:"level"`  // debug, info, warn, error
	Format string `koanf:"format"` // json or text
}

// Jobs configures the background worker.
type Jobs struct {
	Workers int           `koanf:"workers"`
	Poll    time.Duration `koanf:"poll"`
}

// Webhook configures deliveries to backends.
type Webhook struct {
	Timeout time.Duration `koanf:"timeout"`
}

// Default returns the configuration used when nothing is set: SQLite in the working directory,
// port 8080, a master key file next to the database.
func Default() Config {
	return Config{
		HTTP:     HTTP{Addr: ":8080", BaseURL: "http://localhost:8080", MaxBodyBytes: 1 << 20, ShutdownTimeout: 15 * time.Second},
		Database: Database{URL: "sqlite:waybill.db", SQLiteSynchronous: "full", MaxConns: 20},
		Keys:     Keys{MasterKeyFile: "waybill.key"},
		Log:      Log{Level: "info", Format: "json"},
		Jobs:     Jobs{Workers: 32, Poll: time.Second},
		Webhook:  Webhook{Timeout: 10 * time.Second},
		Email:    defaultEmail(),
		Web:      defaultWeb(),
		TRP:      defaultTRP(),
		TRISA:    defaultTRISA(),

		Decisions: Decisions{ScreeningTimeout: 5 * time.Second, ListRefresh: 30 * time.Second},
	}
}

// EnvPrefix starts every configuration variable.
const EnvPrefix = "WAYBILL_"

// Load builds the configuration from defaults, the YAML file at path (when not empty) and the
// environment (a list of KEY=VALUE, as os.Environ returns). Unknown WAYBILL_ variables are
// errors, so a typo does not pass silently.
func Load(path string, environ []string) (Config, error) {
	k := koanf.New(".")
	if err := k.Load(structs.Provider(Default(), "koanf"), nil); err != nil {
		return Config{}, err
	}
	var problems []string
	if path != "" {
		if _, err := os.Stat(path); err != nil {
			return Config{}, fmt.Errorf("config file: %w", err)
		}
		fk := koanf.New(".")
		if err := fk.Load(file.Provider(path), yaml.Parser()); err != nil {
			return Config{}, fmt.Errorf("config file %s: %w", path, err)
		}
		if err := k.Merge(fk); err != nil {
			return Config{}, fmt.Errorf("config file %s: %w", path, err)
		}
		for _, key := range fk.Keys() {
			if _, ok := knownKeys()[key]; !ok {
				problems = append(problems, fmt.Sprintf("%s: unknown setting %q", path, key))
			}
		}
	}
	known := knownKeys()
	for _, kv := range environ {
		name, value, ok := strings.Cut(kv, "=")
		if !ok || !strings.HasPrefix(name, EnvPrefix) || name == "WAYBILL_CONFIG" || strings.HasPrefix(name, "WAYBILL_TEST_") {
			continue
		}
		key, ok := known[envKey(name)]
		if !ok {
			problems = append(problems, fmt.Sprintf("%s: unknown variable", name))
			continue
		}
		if err := k.Set(key, value); err != nil {
			problems = append(problems, fmt.Sprintf("%s: %v", name, err))
		}
	}
	var c Config
	if err := k.UnmarshalWithConf("", &c, koanf.UnmarshalConf{Tag: "koanf", FlatPaths: false}); err != nil {
		problems = append(problems, err.Error())
	}
	problems = append(problems, c.Validate()...)
	if len(problems) > 0 {
		return c, &Error{Problems: problems}
	}
	return c, nil
}

// Error lists every configuration problem found.
type Error struct{ Problems []string }

func (e *Error) Error() string {
	return "configuration has " + fmt.Sprint(len(e.Problems)) + " problem(s):\n  - " + strings.Join(e.Problems, "\n  - ")
}

// envKey turns WAYBILL_HTTP_BASE_URL into the lookup form HTTP_BASE_URL.
func envKey(name string) string { return strings.TrimPrefix(name, EnvPrefix) }

// knownKeys maps environment names (HTTP_ADDR) to koanf paths (http.addr), from the struct.
func knownKeys() map[string]string {
	out := map[string]string{}
	var walk func(t reflect.Type, prefix string)
	walk = func(t reflect.Type, prefix string) {
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			tag := f.Tag.Get("koanf")
			path := tag
			if prefix != "" {
				path = prefix + "." + tag
			}
			if f.Type.Kind() == reflect.Struct && f.Type != reflect.TypeOf(time.Duration(0)) {
				walk(f.Type, path)
				continue
			}
			out[strings.ToUpper(strings.ReplaceAll(path, ".", "_"))] = path
			out[path] = path
		}
	}
	walk(reflect.TypeOf(Config{}), "")
	return out
}

// Variables lists every environment variable the configuration reads, sorted.
func Variables() []string {
	var out []string
	for k := range knownKeys() {
		if !strings.Contains(k, ".") {
			out = append(out, EnvPrefix+k)
		}
	}
	sort.Strings(out)
	return out
}

// Validate returns every problem with c.
func (c Config) Validate() []string {
	var p []string
	if _, _, err := net.SplitHostPort(c.HTTP.Addr); err != nil {
		p = append(p, fmt.Sprintf("http.addr %q: %v", c.HTTP.Addr, err))
	}
	if u, err := url.Parse(c.HTTP.BaseURL); err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		p = append(p, fmt.Sprintf("http.base_url %q must be an absolute http(s) URL", c.HTTP.BaseURL))
	}
	if c.HTTP.MaxBodyBytes < 1024 {
		p = append(p, "http.max_body_bytes must be at least 1024")
	}
	if c.HTTP.ShutdownTimeout <= 0 {
		p = append(p, "http.shutdown_timeout must be positive")
	}
	switch kind, _ := c.Database.Kind(); kind {
	case "sqlite", "postgres":
	default:
		p = append(p, fmt.Sprintf("database.url %q must start with sqlite: or postgres://", c.Database.URL))
	}
	if s := strings.ToLower(c.Database.SQLiteSynchronous); s != "full" && s != "normal" {
		p = append(p, "database.sqlite_synchronous must be full or normal")
	}
	if c.Database.MaxConns < 1 {
		p = append(p, "database.max_conns must be at least 1")
	}
	if c.Keys.MasterKey == "" && c.Keys.MasterKeyFile == "" {
		p = append(p, "keys: set master_key or master_key_file")
	}
	if l := strings.ToLower(c.Log.Level); l != "debug" && l != "info" && l != "warn" && l != "error" {
		p = append(p, "log.level must be debug, info, warn or error")
	}
	if f := strings.ToLower(c.Log.Format); f != "json" && f != "text" {
		p = append(p, "log.format must be json or text")
	}
	if c.Jobs.Workers < 1 || c.Jobs.Workers > 1024 {
		p = append(p, "jobs.workers must be between 1 and 1024")
	}
	if c.Jobs.Poll < 10*time.Millisecond {
		p = append(p, "jobs.poll must be at least 10ms")
	}
	if c.Webhook.Timeout <= 0 {
		p = append(p, "webhook.timeout must be positive")
	}
	p = append(p, c.Decisions.validate()...)
	p = append(p, c.TRP.validate()...)
	p = append(p, c.TRISA.validate()...)
	p = append(p, c.Email.validate()...)
	p = append(p, c.Web.validate()...)
	return p
}

// Kind returns "sqlite" or "postgres" and the driver-specific location (a file path or the URL).
func (d Database) Kind() (string, string) {
	u := d.URL
	switch {
	case strings.HasPrefix(u, "postgres://"), strings.HasPrefix(u, "postgresql://"):
		return "postgres", u
	case strings.HasPrefix(u, "sqlite:"), strings.HasPrefix(u, "file:"):
		path := strings.TrimPrefix(strings.TrimPrefix(strings.TrimPrefix(u, "sqlite://"), "sqlite:"), "file:")
		if i := strings.IndexByte(path, '?'); i >= 0 {
			path = path[:i]
		}
		if path == "" {
			return "", ""
		}
		return "sqlite", path
	}
	return "", ""
}

// Redacted renders the configuration as "key = value" lines with secrets masked.
func (c Config) Redacted() string {
	k := koanf.New(".")
	_ = k.Load(structs.Provider(c, "koanf"), nil)
	var b strings.Builder
	keys := k.Keys()
	sort.Strings(keys)
	for _, key := range keys {
		v := fmt.Sprint(k.Get(key))
		if (key == "keys.master_key" || key == "email.password") && v != "" {
			v = "(set, hidden)"
		}
		if key == "database.url" {
			v = redactURL(v)
		}
		fmt.Fprintf(&b, "%s = %s\n", key, v)
	}
	return b.String()
}

func redactURL(s string) string {
	u, err := url.Parse(s)
	if err != nil || u.User == nil {
		return s
	}
	if _, ok := u.User.Password(); ok {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	}
	return u.String()
}
