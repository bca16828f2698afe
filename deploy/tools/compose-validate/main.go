// compose-validate loads a Compose project with compose-go, the library
// `docker compose` itself uses: it resolves include, interpolates from the env
// file, validates against the Compose specification's JSON schema and prints
// the resolved model as JSON (what `docker compose config --format json`
// prints). No Docker engine is needed. Usage (from the repository root):
//
//	go run ./deploy/tools/compose-validate -env-file .env.example -set JWT_SECRET=... compose.yaml
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/compose-spec/compose-go/v2/cli"
)

type pairs []string

func (p *pairs) String() string     { return strings.Join(*p, ",") }
func (p *pairs) Set(v string) error { *p = append(*p, v); return nil }

func main() {
	envFile := flag.String("env-file", ".env", "environment file used for interpolation")
	var set pairs
	flag.Var(&set, "set", "NAME=VALUE added to the environment (repeatable)")
	profiles := flag.String("profiles", "", "comma-separated profiles to enable")
	flag.Parse()
	files := flag.Args()
	if len(files) == 0 {
		files = []string{"compose.yaml"}
	}
	opts := []cli.ProjectOptionsFn{
		cli.WithEnvFiles(*envFile),
		cli.WithDotEnv,
		cli.WithEnv(set),
		cli.WithName("eticket"),
		cli.WithResolvedPaths(true),
	}
	if *profiles != "" {
		opts = append(opts, cli.WithProfiles(strings.Split(*profiles, ",")))
	}
	options, err := cli.NewProjectOptions(files, opts...)
	if err != nil {
		fail(err)
	}
	project, err := options.LoadProject(context.Background())
	if err != nil {
		fail(err)
	}
	out, err := json.MarshalIndent(project, "", "  ")
	if err != nil {
		fail(err)
	}
	fmt.Println(string(out))
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "compose-validate:", err)
	os.Exit(1)
}
