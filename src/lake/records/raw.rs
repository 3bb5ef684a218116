//! Network logs delivered straight to S3, without Security Lake: VPC flow
//! log text files (`AWSLogs/<acct>/vpcflowlogs/<region>/…/*.log.gz`, a header
//! line naming the fields, default or custom format) and Route 53 Resolver
//! query logs (`AWSLogs/<acct>/vpcdnsquerylogs/<vpc>/…`, JSON lines).

use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;

use flate2::read::MultiGzDecoder;

use crate::lake::projection::lit;

/// RFC 1918 addresses: the VPC side of a flow when nothing else tells.
const PRIVATE: &str = r"^(10\.|192\.168\.|172\.(1[6-9]|2[0-9]|3[01])\.)";

/// The field names of a flow log file, from its header line.
pub(crate) fn flow_log_fields(path: &Path) -> std::io::Result<Vec<String>> {
    let file = File::open(path)?;
    // A header is short; a "line" longer than this is not one.
    let mut reader: Box<dyn BufRead> = if path.extension().is_some_and(|e| e == "gz") {
        Box::new(BufReader::new(MultiGzDecoder::new(file).take(4096)))
    } else {
        Box::new(BufReader::new(file.take(4096)))
    };
    let mut line = String::new();
    reader.read_line(&mut line)?;
    let fields: Vec<String> = line.split_whitespace().map(str::to_string).collect();
    let known = ["srcaddr", "dstaddr"];
    if !known.iter().all(|k| fields.iter().any(|f| f == k)) {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            "no flow log header line (expected field names such as srcaddr dstaddr)",
        ));
    }
    Ok(fields)
}

/// Flow log text in the flat flow shape. `fields` is the files' header;
/// a field the format lacks is NULL (account and region then come from the
/// delivery path, given as `account`/`region`).
pub(crate) fn flow_text_select(fields: &[String], label: &str, list: &str) -> String {
    let has = |name: &str| fields.iter().any(|f| f == name);
    let field = |name: &str, ty: &str| match has(name) {
        true => format!("TRY_CAST(\"{name}\" AS {ty})"),
        false => format!("NULL::{ty}"),
    };
    // The interface's own address: by the flow's direction when the format
    // has it, else the private address of the two.
    let local_ip = match has("flow-direction") {
        true => "CASE \"flow-direction\" WHEN 'egress' THEN srcaddr WHEN 'ingress' THEN dstaddr END".to_string(),
        false => format!(
            "CASE WHEN regexp_matches(srcaddr, '{PRIVATE}') THEN srcaddr \
             WHEN regexp_matches(dstaddr, '{PRIVATE}') THEN dstaddr END"
        ),
    };
    let direction = match has("flow-direction") {
        true => "CASE \"flow-direction\" WHEN 'ingress' THEN 'Inbound' WHEN 'egress' THEN 'Outbound' END".to_string(),
        false => "NULL::VARCHAR".to_string(),
    };
    let cols = [
        format!("{} * 1000 AS time_ms", field("start", "BIGINT")),
        format!("{} * 1000 AS end_ms", field("end", "BIGINT")),
        format!("coalesce({}, path_account) AS account", field("account-id", "VARCHAR")),
        format!("coalesce({}, path_region) AS region", field("region", "VARCHAR")),
        format!("{} AS src_ip", field("srcaddr", "VARCHAR")),
        format!("{} AS src_port", field("srcport", "INTEGER")),
        format!("{} AS dst_ip", field("dstaddr", "VARCHAR")),
        format!("{} AS dst_port", field("dstport", "INTEGER")),
        format!("{} AS protocol", field("protocol", "INTEGER")),
        format!("{direction} AS direction"),
        format!("{} AS bytes", field("bytes", "BIGINT")),
        format!("{} AS packets", field("packets", "BIGINT")),
        format!("upper({}) AS action", field("action", "VARCHAR")),
        format!("{local_ip} AS local_ip"),
        format!("{} AS eni", field("interface-id", "VARCHAR")),
        format!("{} AS instance", field("instance-id", "VARCHAR")),
        format!("{} AS vpc", field("vpc-id", "VARCHAR")),
        format!("{} AS subnet", field("subnet-id", "VARCHAR")),
        format!("{} AS source_kind", lit(label)),
        "filename AS source_file".to_string(),
    ];
    // The header's fields, all text: a malformed line is then reported as
    // such (with its line number) instead of failing type detection.
    let columns: Vec<String> = fields.iter().map(|f| format!("{}: 'VARCHAR'", lit(f))).collect();
    let columns = columns.join(", ");
    // The delivery path names the account and region: AWSLogs/<acct>/vpcflowlogs/<region>/…
    format!(
        "SELECT {}\nFROM (SELECT *, regexp_extract(filename, '/AWSLogs/(?:o-[^/]+/)?([0-9]{{12}})/', 1) AS path_account, \
         regexp_extract(filename, '/vpcflowlogs/([^/]+)/', 1) AS path_region \
         FROM read_csv({list}, delim = ' ', header = true, auto_detect = false, columns = {{{columns}}}, \
         nullstr = '-', filename = true, hive_partitioning = false))",
        cols.join(",\n  ")
    )
}

/// Route 53 Resolver query logs in the flat DNS shape.
pub(crate) fn resolver_select(label: &str, list: &str) -> String {
    let columns = "{'query_timestamp': 'VARCHAR', 'account_id': 'VARCHAR', 'region': 'VARCHAR', \
                   'vpc_id': 'VARCHAR', 'query_name': 'VARCHAR', 'query_type': 'VARCHAR', 'rcode': 'VARCHAR', \
                   'answers': 'STRUCT(\"Rdata\" VARCHAR, \"Type\" VARCHAR, \"Class\" VARCHAR)[]', \
                   'srcaddr': 'VARCHAR', 'srcids': 'STRUCT(instance VARCHAR)'}";
    format!(
        "SELECT epoch_ms(TRY_CAST(query_timestamp AS TIMESTAMP)) AS time_ms, account_id AS account, region, \
         srcaddr AS src_ip, vpc_id AS vpc, srcids.instance AS instance, \
         lower(rtrim(query_name, '.')) AS hostname, query_type AS qtype, rcode, \
         [a.Rdata for a in coalesce(answers, [])] AS answers, {label} AS source_kind, filename AS source_file\n\
         FROM read_json({list}, format = 'newline_delimited', columns = {columns}, filename = true, \
         hive_partitioning = false)",
        label = lit(label)
    )
}
