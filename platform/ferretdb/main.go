// Command ferretdb-launcher runs FerretDB v1 with its SQLite handler so the
// Ticket Order Service can speak the MongoDB wire protocol locally, where no
// MongoDB server package exists. It embeds the official
// github.com/FerretDB/FerretDB/ferretdb package: a plain `go install` of
// FerretDB's cmd/ferretdb panics without its generated version file, while the
// embeddable package needs none.
package main

import (
	"context"
	"database/sql"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/FerretDB/FerretDB/ferretdb"
	_ "modernc.org/sqlite"
)

// ensureIDIndexes gives every collection table an index on the expression
// FerretDB 1.24 filters `_id` with. FerretDB indexes `_ferretdb_sjson->"_id"`
// but queries `_ferretdb_sjson->'$._id'`; SQLite matches index expressions
// textually, so without this every lookup, update and delete by `_id` scans
// the whole table (68 ms at 20k documents instead of 1.5 ms). New collections
// appear at any time, hence the loop in main.
func ensureIDIndexes(dir string) {
	files, _ := filepath.Glob(filepath.Join(dir, "*.sqlite"))
	for _, file := range files {
		db, err := sql.Open("sqlite", "file:"+file+"?_pragma=busy_timeout(5000)")
		if err != nil {
			continue
		}
		var tables []string
		if rows, err := db.Query(`SELECT table_name FROM _ferretdb_collections`); err == nil {
			for rows.Next() {
				var table string
				if rows.Scan(&table) == nil {
					tables = append(tables, table)
				}
			}
			rows.Close()
		}
		for _, table := range tables {
			_, _ = db.Exec(fmt.Sprintf(`CREATE INDEX IF NOT EXISTS %q ON %q (_ferretdb_sjson->'$._id')`, table+"__id_path", table))
		}
		db.Close()
	}
}

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
		Listener: ferretdb.ListenerConfig{TCP: *listen},
		Logger:   logger,
		Handler:  "sqlite",
		// Immediate transactions take the write lock up front: deferred ones that
		// upgrade under concurrent writers fail with SQLITE_BUSY despite busy_timeout.
		SQLiteURL: "file:" + *dataDir + "/?_txlock=immediate",
	})
	if err != nil {
		fmt.Fprintf(os.Stderr, "ferretdb-launcher: %v\n", err)
		os.Exit(1)
	}

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()

	go func() {
		for {
			ensureIDIndexes(*dataDir)
			select {
			case <-ctx.Done():
				return
			case <-time.After(time.Second):
			}
		}
	}()

	fmt.Printf("ferretdb-launcher: listening on %s (data in %s)\n", f.MongoDBURI(), *dataDir)
	if err := f.Run(ctx); err != nil {
		fmt.Fprintf(os.Stderr, "ferretdb-launcher: %v\n", err)
		os.Exit(1)
	}
}
