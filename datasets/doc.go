// Package datasets reads the labelled photo sets circc evaluates models and
// circuits on: imagenet-sample (one photo per ImageNet class, labels.tsv)
// from ../shared/datasets, $CIRCC_DATA or a --data folder. It decodes
// images; preprocessing belongs to each model's manifest.
package datasets
