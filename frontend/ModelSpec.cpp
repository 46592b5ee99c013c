/// Entry points of the model-file parser: the top-level map; sections are parsed in
/// LayerParse.cpp and SettingsParse.cpp, cross-layer checks in LayerCheck.cpp.
#include "frontend/ModelSpec.h"
#include "frontend/SpecParse.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace aec {

namespace {

/// Rejects bytes YAML does not allow in a document (C0 controls other than tab, LF and CR;
/// yaml-cpp passes a NUL through into keys and values), at their line and column.
void checkPlainText(const std::string &text, const std::string &fileName) {
  SourceLoc loc;
  loc.file = fileName;
  loc.line = 1;
  loc.col = 1;
  for (unsigned char c : text) {
    if (c < 0x20 && c != '\t' && c != '\n' && c != '\r')
      fail(loc, c == 0 ? std::string("a NUL byte in the model file (a model file is plain text)")
                       : "control character 0x" + std::string(1, "0123456789abcdef"[c >> 4]) +
                             std::string(1, "0123456789abcdef"[c & 15]) +
                             " in the model file (a model file is plain text)");
    if (c == '\n') {
      ++loc.line;
      loc.col = 1;
    } else {
      ++loc.col;
    }
  }
}

/// Rejects a second YAML document: a '---' line after content, or content after a '...'
/// line. yaml-cpp's Load reads the first document and silently ignores the rest, and its
/// LoadAll can loop forever on malformed input (found by fuzzing), so the markers are
/// found here, on the text: at column 1 they always delimit documents.
void checkOneDocument(const std::string &text, const std::string &fileName) {
  bool content = false, ended = false;
  SourceLoc loc;
  loc.file = fileName;
  loc.col = 1;
  for (size_t start = 0; start < text.size();) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos)
      end = text.size();
    const std::string line = text.substr(start, end - start);
    ++loc.line;
    start = end + 1;
    auto marker = [&](const char *m) {
      return line.compare(0, 3, m) == 0 &&
             (line.size() == 3 || line[3] == ' ' || line[3] == '\t' || line[3] == '\r');
    };
    const size_t first = line.find_first_not_of(" \t\r");
    const bool blank = first == std::string::npos || line[first] == '#';
    if (marker("---") && (content || ended))
      fail(loc, "a second YAML document starts here ('---'); a model file holds one model");
    if (!blank && ended && !marker("...") && !marker("---"))
      fail(loc, "content after the end of the YAML document ('...'); a model file holds one model");
    if (marker("..."))
      ended = content;
    else if (!blank && !marker("---") && line[0] != '%')
      content = true;
  }
}

/// Parses `text` as one YAML document; a syntax error becomes a CompileError at yaml-cpp's
/// mark.
YAML::Node loadYaml(const std::string &text, const std::string &fileName) {
  checkPlainText(text, fileName);
  checkOneDocument(text, fileName);
  try {
    return YAML::Load(text);
  } catch (const YAML::Exception &e) {
    SourceLoc loc;
    loc.file = fileName;
    if (!e.mark.is_null()) {
      loc.line = e.mark.line + 1;
      loc.col = e.mark.column + 1;
    }
    fail(loc, "invalid YAML: " + e.msg);
  }
}

/// Model names become file names and descriptor fields.
bool validModelName(const std::string &name) {
  return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.';
  });
}

std::vector<LayerSpec> parseLayers(const SpecReader &r, const YAML::Node &root,
                                   const std::string &section) {
  const YAML::Node list = root[section];
  if (list.IsNull()) {
    for (auto it = root.begin(); it != root.end(); ++it)
      if (it->first.Scalar() == section)
        r.fail(it->first, section + " needs at least one layer");
  }
  if (!list.IsSequence())
    r.fail(list, section + " must be a list of layers, e.g. '- dense: {units: 50}'");
  if (list.size() == 0)
    r.fail(list, section + " needs at least one layer");
  std::vector<LayerSpec> layers;
  for (size_t i = 0; i < list.size(); ++i)
    layers.push_back(parseLayer(r, list[i], section + "." + std::to_string(i),
                                section == "decoder"));
  return layers;
}

ModelSpec parseWithBase(const std::string &text, const std::string &fileName,
                        const std::string &baseDir) {
  const YAML::Node root = loadYaml(text, fileName);
  SpecReader r(fileName);
  SourceLoc fileLoc;
  fileLoc.file = fileName;
  if (!root.IsMap())
    fail(root.IsDefined() && !root.IsNull() ? r.at(root) : fileLoc,
         "a model file is a map with keys name, input, encoder, decoder, loss, optimizer, "
         "train, data");
  r.checkKeys(root,
              {"name", "input", "encoder", "decoder", "loss", "optimizer", "train", "data"},
              "the model file");

  ModelSpec spec;
  spec.file = fileName;
  if (const YAML::Node n = root["name"]) {
    spec.name = r.getString(n, "the model 'name'");
    if (!validModelName(spec.name))
      r.fail(n, "model name '" + spec.name +
                    "' may use only letters, digits, '_', '-' and '.' (it names the trainer)");
  } else {
    spec.name = std::filesystem::path(fileName).stem().string();
    if (!validModelName(spec.name))
      spec.name = "model";
  }
  const YAML::Node input = root["input"];
  if (!input)
    r.fail(root, "the model file needs 'input' (the shape of one sample, e.g. [2])");
  spec.inputShape = r.getShape(input, "'input'");
  spec.inputLoc = r.at(input);
  for (const char *section : {"encoder", "decoder"})
    if (!root[section])
      r.fail(root, std::string("the model file needs '") + section + "' (a list of layers)");
  spec.encoder = parseLayers(r, root, "encoder");
  spec.decoder = parseLayers(r, root, "decoder");

  if (const YAML::Node n = root["loss"])
    parseLoss(r, n, spec);
  else
    spec.settings["loss.reconstruction"] = spec.loss.reconstruction;
  if (const YAML::Node n = root["optimizer"])
    parseOptimizer(r, n, spec);
  else
    parseOptimizer(r, YAML::Node("adam"), spec);
  if (const YAML::Node n = root["train"])
    parseTrain(r, n, spec);
  spec.settings["train.batch"] = std::to_string(spec.batch);
  if (const YAML::Node n = root["data"])
    parseData(r, n, baseDir, spec);

  checkLayers(spec);
  checkModelSize(spec);
  return spec;
}

} // namespace

ModelSpec parseModelSpec(const std::string &text, const std::string &fileName) {
  return parseWithBase(text, fileName, "");
}

ModelSpec loadModelSpec(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  if (!in || std::filesystem::is_directory(path)) {
    std::string reason = std::filesystem::is_directory(path) ? "it is a directory"
                                                               : std::strerror(errno);
    throw CompileError(SourceLoc(), "cannot read model file '" + path + "': " + reason);
  }
  std::stringstream text;
  text << in.rdbuf();
  std::string dir = std::filesystem::path(path).parent_path().string();
  return parseWithBase(text.str(), path, dir);
}

void checkDataFiles(const ModelSpec &spec) {
  for (const char *key : {"data.path", "data.target.path", "data.validation_data.path",
                          "data.validation_data.target.path"}) {
    auto it = spec.settings.find(key);
    if (it == spec.settings.end())
      continue;
    std::ifstream in(it->second, std::ios::binary);
    std::string reason;
    if (!in)
      reason = std::strerror(errno);
    else if (std::filesystem::is_directory(it->second))
      reason = "it is a directory";
    if (reason.empty())
      continue;
    auto loc = spec.settingLocs.find(key);
    fail(loc != spec.settingLocs.end() ? loc->second : SourceLoc{spec.file},
         "cannot read data file '" + it->second + "': " + reason);
  }
}

} // namespace aec
