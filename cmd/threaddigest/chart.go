package main

import (
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/threaddigest/threaddigest/chart"
	"github.com/threaddigest/threaddigest/digest"
)

// writeChart draws d's regional split into the PNG file path (`digest
// --chart`): the same chart the Slack and Discord digests carry, its source
// line dated asOf (zero: the latest comment's day, if the thread has times).
func writeChart(path string, d digest.Digest, asOf time.Time) error {
	png, err := chart.RegionalSplit(d, chart.Options{AsOf: asOf})
	if errors.Is(err, chart.ErrNoRegions) {
		return fmt.Errorf("--chart %s: the digest has no commenters to place by region, so there is no chart to draw", path)
	}
	if err != nil {
		return fmt.Errorf("--chart %s: %w", path, err)
	}
	if err := os.WriteFile(path, png, 0o644); err != nil {
		return fmt.Errorf("--chart: writing the chart: %w", err)
	}
	return nil
}
