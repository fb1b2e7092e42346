extension ClickHouseMetadataReader: SystemReading {
}
