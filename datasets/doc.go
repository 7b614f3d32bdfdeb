// Package datasets reads the labelled photo sets circc evaluates models and
// circuits on: imagenet-sample (one photo per ImageNet class, labels.tsv)
// from a --data folder, $CIRCC_DATA, shared/datasets beside the checkout
// or $CIRCC_HOME/datasets (package places). It decodes
// images; preprocessing belongs to each model's manifest.
package datasets
