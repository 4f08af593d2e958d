package config

import (
	"flag"
	"fmt"
	"os"
)

// Flags binds configuration settings to the flags of one command.
type Flags struct {
	fs     *flag.FlagSet
	config string
	values []*flagValue
}

// AddFlags registers --config and the flags of the settings whose keys are given (every
// setting when none is) on fs. Parse fs, then call Load.
func AddFlags(fs *flag.FlagSet, keys ...string) *Flags {
	f := &Flags{fs: fs}
	fs.StringVar(&f.config, "config", "", "configuration file, YAML (.yaml, .yml) or TOML (.toml) (env "+ConfigEnv+")")
	picked := settings
	if len(keys) > 0 {
		picked = nil
		for _, k := range keys {
			s := lookup(k)
			if s == nil {
				panic("config: AddFlags: no setting " + k)
			}
			picked = append(picked, s)
		}
	}
	for _, s := range picked {
		v := &flagValue{s: s}
		f.values = append(f.values, v)
		fs.Var(v, s.Flag, s.Usage+" (env "+s.Env+")")
	}
	return f
}

// Load returns the configuration, each setting taken from the first source that sets it:
// a flag given on the command line, an OUTDIAL_* variable read with getenv (an empty value
// counts as unset), the config file (--config, else OUTDIAL_CONFIG), the default. The
// result is validated. getenv nil means os.Getenv.
func (f *Flags) Load(getenv func(string) string) (Config, error) {
	if getenv == nil {
		getenv = os.Getenv
	}
	c := Default()
	path := f.config
	if path == "" {
		path = getenv(ConfigEnv)
	}
	if path != "" {
		data, err := os.ReadFile(path)
		if err != nil {
			return c, fmt.Errorf("config: %w", err)
		}
		if err := ParseFile(path, data, &c); err != nil {
			return c, err
		}
	}
	if err := applyEnv(&c, getenv); err != nil {
		return c, err
	}
	for _, v := range f.values {
		if !v.given {
			continue
		}
		if err := v.s.set(&c, v.val); err != nil {
			return c, fmt.Errorf("config: flag --%s: %w", v.s.Flag, err)
		}
	}
	return c, c.Validate()
}

// ConfigFile returns the config file Load reads: --config, else OUTDIAL_CONFIG, else "".
func (f *Flags) ConfigFile(getenv func(string) string) string {
	if f.config != "" {
		return f.config
	}
	if getenv == nil {
		getenv = os.Getenv
	}
	return getenv(ConfigEnv)
}

func applyEnv(c *Config, getenv func(string) string) error {
	for _, s := range settings {
		v := getenv(s.Env)
		if v == "" {
			continue
		}
		if err := s.set(c, v); err != nil {
			return fmt.Errorf("config: %s: %w", s.Env, err)
		}
	}
	return nil
}

// flagValue is a flag.Value that remembers whether the flag was given, so that a flag
// left out does not override the environment or the file with its default.
type flagValue struct {
	s     *Setting
	val   string
	given bool
}

func (v *flagValue) String() string {
	if v == nil || v.s == nil {
		return ""
	}
	if v.given {
		return v.val
	}
	return v.s.Default
}

func (v *flagValue) Set(s string) error {
	var probe Config
	if err := v.s.set(&probe, s); err != nil {
		return err
	}
	v.val, v.given = s, true
	return nil
}

// IsBoolFlag lets boolean settings be given as a bare --flag.
func (v *flagValue) IsBoolFlag() bool { return v.s != nil && v.s.isBool }

// Type names the flag's kind of value ("string", "int", "bool", "duration") for usage text.
func (v *flagValue) Type() string { return v.s.kind }
