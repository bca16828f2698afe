// Command ferretdb-launcher runs FerretDB v1 with its SQLite handler so the
// Ticket Order Service can speak the MongoDB wire protocol locally, where no
// MongoDB server package exists. It embeds the official
// github.com/FerretDB/FerretDB/ferretdb package: a plain `go install` of
// FerretDB's cmd/ferretdb panics without its generated version file, while the
// embeddable package needs none.
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/FerretDB/FerretDB/ferretdb"
)

func main() {
	listen := flag.String("listen", "127.0.0.1:47017", "TCP address to listen on")
	dataDir := flag.String("data", "./data", "directory for the SQLite database files")
	flag.Parse()

	if err := os.MkdirAll(*dataDir, 0o755); err != nil {
		fmt.Fprintf(os.Stderr, "ferretdb-launcher: cannot create %s: %v\n", *dataDir, err)
		os.Exit(1)
	}

	logger := slog.New(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	f, err := ferretdb.New(&ferretdb.Config{
		Listener:  ferretdb.ListenerConfig{TCP: *listen},
		Logger:    logger,
		Handler:   "sqlite",
		SQLiteURL: "file:" + *dataDir + "/",
	})
	if err != nil {
		fmt.Fprintf(os.Stderr, "ferretdb-launcher: %v\n", err)
		os.Exit(1)
	}

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()

	fmt.Printf("ferretdb-launcher: listening on %s (data in %s)\n", f.MongoDBURI(), *dataDir)
	if err := f.Run(ctx); err != nil {
		fmt.Fprintf(os.Stderr, "ferretdb-launcher: %v\n", err)
		os.Exit(1)
	}
}
