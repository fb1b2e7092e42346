extension ClickHouseMetadataReader: LabelReading {
}
