extension ClickHouseMetadataReader: ExplorerReading {
}
