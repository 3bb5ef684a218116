//! Relationships grouped by verb, and a depth-limited walk of the graph
//! that shows cycles without following them.

use std::collections::{BTreeSet, VecDeque};

use serde::Serialize;

use super::item::{ConfigItem, Relationship, ResourceKey, config_find, config_items, item_at, key_row};
use crate::lake::error::Result;
use crate::lake::scope::Filter;
use crate::lake::session::Session;

/// Rows after which a walk stops expanding.
pub const MAX_TREE_NODES: usize = 2000;

/// Relationships of one item sharing a verb phrase.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RelationGroup {
    pub verb: String,
    pub relationships: Vec<Relationship>,
}

/// Groups in the order verbs first appear; duplicate entries kept once.
pub fn group_relationships(item: &ConfigItem) -> Vec<RelationGroup> {
    let mut groups: Vec<RelationGroup> = Vec::new();
    for rel in &item.relationships {
        let at = match groups.iter().position(|g| g.verb == rel.verb) {
            Some(i) => i,
            None => {
                groups.push(RelationGroup {
                    verb: rel.verb.clone(),
                    relationships: Vec::new(),
                });
                groups.len() - 1
            }
        };
        let same = |r: &Relationship| {
            r.resource_id == rel.resource_id
                && r.resource_type == rel.resource_type
                && r.resource_name == rel.resource_name
        };
        if !groups[at].relationships.iter().any(same) {
            groups[at].relationships.push(rel.clone());
        }
    }
    groups
}

/// One row of the walked tree (pre-order).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GraphNode {
    pub depth: usize,
    /// Row index of the parent in the walk; None for the root.
    pub parent: Option<usize>,
    /// The verb linking the parent to this node.
    pub relationship: Option<String>,
    pub resource_type: Option<String>,
    pub resource_id: Option<String>,
    pub resource_name: Option<String>,
    /// The resource's key when Config recorded items for it.
    pub key: Option<ResourceKey>,
    /// The node is one of its own ancestors: shown, not followed.
    pub cycle: bool,
    /// Expanded elsewhere in the tree (nearer the root): shown, not followed again.
    pub repeat: bool,
}

fn identity(resource_type: Option<&str>, id: Option<&str>, name: Option<&str>) -> String {
    format!("{}|{}", resource_type.unwrap_or(""), id.or(name).unwrap_or(""))
}

/// Walk from `root` to `depth` levels. `neighbours` gives a known
/// resource's relationships and the keys they resolve to. Breadth first, so
/// a resource is expanded where it is nearest the root; the result is in
/// pre-order (each node followed by its subtree).
pub fn walk(
    root: &ResourceKey,
    root_name: Option<String>,
    depth: usize,
    mut neighbours: impl FnMut(&ResourceKey) -> Result<Vec<(Relationship, Option<ResourceKey>)>>,
) -> Result<Vec<GraphNode>> {
    let mut nodes = vec![GraphNode {
        depth: 0,
        parent: None,
        relationship: None,
        resource_type: Some(root.resource_type.clone()),
        resource_id: Some(root.resource_id.clone()),
        resource_name: root_name,
        key: Some(root.clone()),
        cycle: false,
        repeat: false,
    }];
    let mut seen: BTreeSet<String> = BTreeSet::from([node_identity(&nodes[0])]);
    let mut queue = VecDeque::from([0usize]);
    while let Some(at) = queue.pop_front() {
        // A whole region's VPC can reach thousands of resources: stop growing
        // the tree (what is listed stays correct, deeper rows are left out).
        if nodes.len() >= MAX_TREE_NODES {
            break;
        }
        let (Some(key), true) = (nodes[at].key.clone(), nodes[at].depth < depth) else {
            continue;
        };
        for (rel, target) in neighbours(&key)? {
            let node = GraphNode {
                depth: nodes[at].depth + 1,
                parent: Some(at),
                relationship: Some(rel.verb.clone()),
                resource_type: rel.resource_type.clone(),
                resource_id: rel.resource_id.clone(),
                resource_name: rel.resource_name.clone(),
                key: target,
                cycle: false,
                repeat: false,
            };
            let id = node_identity(&node);
            let cycle = is_ancestor(&nodes, at, &id);
            let repeat = !cycle && seen.contains(&id);
            seen.insert(id);
            nodes.push(GraphNode { cycle, repeat, ..node });
            if !cycle && !repeat {
                queue.push_back(nodes.len() - 1);
            }
        }
    }
    Ok(preorder(nodes))
}

fn is_ancestor(nodes: &[GraphNode], from: usize, id: &str) -> bool {
    let mut at = Some(from);
    while let Some(a) = at {
        if node_identity(&nodes[a]) == id {
            return true;
        }
        at = nodes[a].parent;
    }
    false
}

/// Breadth-first rows re-ordered so every subtree follows its node.
fn preorder(nodes: Vec<GraphNode>) -> Vec<GraphNode> {
    let mut children: Vec<Vec<usize>> = vec![Vec::new(); nodes.len()];
    for (i, n) in nodes.iter().enumerate() {
        if let Some(p) = n.parent {
            children[p].push(i);
        }
    }
    let mut order = Vec::with_capacity(nodes.len());
    let mut stack = vec![0usize];
    while let Some(i) = stack.pop() {
        order.push(i);
        stack.extend(children[i].iter().rev());
    }
    let mut new_index = vec![0usize; nodes.len()];
    for (new, old) in order.iter().enumerate() {
        new_index[*old] = new;
    }
    order
        .iter()
        .map(|&old| {
            let mut n = nodes[old].clone();
            n.parent = n.parent.map(|p| new_index[p]);
            n
        })
        .collect()
}

fn node_identity(n: &GraphNode) -> String {
    match &n.key {
        Some(k) => identity(Some(&k.resource_type), Some(&k.resource_id), None),
        None => identity(
            n.resource_type.as_deref(),
            n.resource_id.as_deref(),
            n.resource_name.as_deref(),
        ),
    }
}

/// The relationship tree around `root`, using each resource's item in
/// force at `at` (latest when None).
pub fn config_walk(session: &Session, root: &ResourceKey, depth: usize, at: Option<i64>) -> Result<Vec<GraphNode>> {
    let items = config_items(session, root)?;
    let name = item_at(&items, at).and_then(|i| i.resource_name.clone());
    walk(root, name, depth, |key| {
        let items = config_items(session, key)?;
        let Some(item) = item_at(&items, at) else {
            return Ok(Vec::new());
        };
        let mut out = Vec::new();
        for group in group_relationships(item) {
            for rel in group.relationships {
                let target = config_find(session, key.account.as_deref(), &rel)?;
                out.push((rel, target));
            }
        }
        // Resources that point here without being pointed at (a
        // compliance item names its resource, not the other way round).
        for (rel, source) in config_incoming(session, key, at)? {
            let known = out.iter().any(|(_, t)| t.as_ref() == Some(&source));
            if !known {
                out.push((rel, Some(source)));
            }
        }
        Ok(out)
    })
}

/// Recorded resources of the same account whose item in force at `at`
/// names `key`; the relationship reads from them (`← Is associated with`).
pub fn config_incoming(
    session: &Session,
    key: &ResourceKey,
    at: Option<i64>,
) -> Result<Vec<(Relationship, ResourceKey)>> {
    let mut f = Filter::default();
    let quoted = f.bind_text(&format!("\"{}\"", key.resource_id));
    let t = f.bind_text(&key.resource_type);
    let id = f.bind_text(&key.resource_id);
    let acct = f.bind(match &key.account {
        Some(a) => duckdb::types::Value::Text(a.clone()),
        None => duckdb::types::Value::Null,
    });
    let sql = format!(
        "SELECT DISTINCT account, region, resource_type, resource_id FROM config_items \
         WHERE contains(relationships::VARCHAR, {quoted}) AND NOT (resource_type = {t} AND resource_id = {id}) \
         AND account IS NOT DISTINCT FROM {acct} ORDER BY resource_type, resource_id"
    );
    let mut out = Vec::new();
    for source in session.rows(&sql, &f, key_row)? {
        let items = config_items(session, &source)?;
        let Some(item) = item_at(&items, at) else { continue };
        let names_key = |r: &&Relationship| {
            r.resource_id.as_deref() == Some(key.resource_id.as_str())
                && r.resource_type.as_deref().is_none_or(|rt| rt == key.resource_type)
        };
        if let Some(rel) = item.relationships.iter().find(names_key) {
            let back = Relationship {
                verb: format!("← {}", rel.verb),
                raw_name: rel.raw_name.clone(),
                resource_type: Some(source.resource_type.clone()),
                resource_id: Some(source.resource_id.clone()),
                resource_name: item.resource_name.clone(),
            };
            out.push((back, source));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(id: &str) -> ResourceKey {
        ResourceKey {
            account: Some("1".into()),
            region: Some("r".into()),
            resource_type: "T".into(),
            resource_id: id.into(),
        }
    }

    fn rel(id: &str) -> Relationship {
        Relationship {
            verb: "Is associated with".into(),
            raw_name: "Is associated with T".into(),
            resource_type: Some("T".into()),
            resource_id: Some(id.into()),
            resource_name: None,
        }
    }

    #[test]
    fn cycles_are_shown_not_followed_and_depth_is_kept() {
        // a -> b -> a (cycle), b -> c -> d
        let edges = |k: &ResourceKey| -> Result<Vec<(Relationship, Option<ResourceKey>)>> {
            let to: &[&str] = match k.resource_id.as_str() {
                "a" => &["b"],
                "b" => &["a", "c"],
                "c" => &["d"],
                _ => &[],
            };
            Ok(to.iter().map(|t| (rel(t), Some(key(t)))).collect())
        };
        let tree = walk(&key("a"), None, 5, edges).unwrap();
        let got: Vec<(usize, &str, bool)> = tree
            .iter()
            .map(|n| (n.depth, n.resource_id.as_deref().unwrap(), n.cycle))
            .collect();
        assert_eq!(
            got,
            vec![
                (0, "a", false),
                (1, "b", false),
                (2, "a", true),
                (2, "c", false),
                (3, "d", false)
            ]
        );
        assert_eq!(tree[4].parent, Some(3), "d hangs under c after re-ordering");
        let shallow = walk(&key("a"), None, 2, edges).unwrap();
        assert_eq!(shallow.len(), 4, "depth 2 stops before d");
    }
}
