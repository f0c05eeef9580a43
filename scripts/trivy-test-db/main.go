// trivy-test-db writes a tiny but real Trivy vulnerability DB (bbolt, schema 2)
// holding one planted advisory, plus its metadata.json: the layout scan.offlineDb
// expects, so the offline vuln path of the scan can be proven without the real
// DB (which this machine cannot download). Never use it as a real DB: it knows
// one made-up advisory.
//
//	go run . -out DIR [-ecosystem npm] [-package bytes] [-id CVE-0000-0001] [-severity HIGH] [-fixed 999.0.0]
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/aquasecurity/trivy-db/pkg/db"
	"github.com/aquasecurity/trivy-db/pkg/metadata"
	"github.com/aquasecurity/trivy-db/pkg/types"
	"github.com/aquasecurity/trivy-db/pkg/vulnsrc/bucket"
	"github.com/aquasecurity/trivy-db/pkg/vulnsrc/vulnerability"
	bolt "go.etcd.io/bbolt"
)

func main() {
	out := flag.String("out", "", "directory to write db/trivy.db and db/metadata.json into (scan.offlineDb.path)")
	pkg := flag.String("package", "bytes", "npm package the planted advisory affects (one present in the images)")
	id := flag.String("id", "CVE-0000-0001", "vulnerability ID of the planted advisory")
	severity := flag.String("severity", "HIGH", "its severity: CRITICAL, HIGH, MEDIUM, LOW")
	fixed := flag.String("fixed", "999.0.0", "the version that fixes it (every installed version is below)")
	flag.Parse()
	if *out == "" {
		fmt.Fprintln(os.Stderr, "usage: go run . -out DIR (see the comment at the top of main.go)")
		os.Exit(2)
	}
	if err := write(filepath.Join(*out, "db"), *pkg, *id, *severity, *fixed); err != nil {
		fmt.Fprintln(os.Stderr, "trivy-test-db:", err)
		os.Exit(1)
	}
	fmt.Printf("wrote %s: %s %s in npm %s < %s\n", filepath.Join(*out, "db"), *severity, *id, *pkg, *fixed)
}

func write(dir, pkg, id, severity, fixed string) error {
	sev, err := types.NewSeverity(severity)
	if err != nil {
		return err
	}
	// A fresh file each time: bbolt would otherwise keep earlier advisories.
	if err := os.RemoveAll(dir); err != nil {
		return err
	}
	if err := db.Init(dir); err != nil {
		return err
	}
	defer db.Close()

	// The npm bucket as the GitHub advisory source names it, so Trivy's npm detector reads it.
	src := types.DataSource{ID: vulnerability.GHSA, Name: "GitHub Security Advisory npm (planted test advisory)", URL: "https://example.invalid/trivy-test-db"}
	npm, err := bucket.NewNpm(src)
	if err != nil {
		return err
	}
	dbc := db.Config{}
	err = dbc.BatchUpdate(func(tx *bolt.Tx) error {
		if err := dbc.PutDataSource(tx, npm.Name(), npm.DataSource()); err != nil {
			return err
		}
		advisory := types.Advisory{VulnerableVersions: []string{"<" + fixed}, PatchedVersions: []string{fixed}}
		if err := dbc.PutAdvisoryDetail(tx, id, pkg, []string{npm.Name()}, advisory); err != nil {
			return err
		}
		// Moves the detail into the npm bucket, as the real DB build does.
		if err := dbc.SaveAdvisoryDetails(tx, id); err != nil {
			return err
		}
		return dbc.PutVulnerability(tx, id, types.Vulnerability{
			Title:          "Planted test advisory (trivy-test-db): not a real vulnerability",
			Description:    "Written by scripts/trivy-test-db to prove the offline vulnerability scan fails the gate.",
			Severity:       sev.String(),
			VendorSeverity: types.VendorSeverity{vulnerability.GHSA: sev},
		})
	})
	if err != nil {
		return err
	}
	if err := dbc.DeleteAdvisoryDetailBucket(); err != nil {
		return err
	}
	now := time.Now().UTC()
	meta := metadata.Metadata{Version: db.SchemaVersion, NextUpdate: now.Add(24 * time.Hour), UpdatedAt: now, DownloadedAt: now}
	// metadata.Client writes the same JSON; marshalled here so the file is checked before Trivy sees it.
	b, err := json.Marshal(meta)
	if err != nil {
		return err
	}
	return os.WriteFile(metadata.Path(dir), b, 0o644)
}
