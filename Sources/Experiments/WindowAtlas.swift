import Foundation
import FlowModel
import RealData

/// `phaseflow window --atlas`: the window of every class of a dataset against the rest (issue 21,
/// item 4): one window run per class c with classes (c, rest) and the configuration's majority as
/// c's share, and from each the window of the start class c (RD.20–RD.25) — when c is decided.
/// Writes one table (one row per class, `window`'s keys) and a gnuplot figure with one horizontal
/// bar per class from t10 to t90, t50 marked, each point with its 95 % bootstrap interval.
///
///     var config = WindowConfiguration(); config.majority = 0.1      // each class at its share of MNIST
///     let rows = try WindowAtlas(run: WindowRun(configuration: config)).rows()
public struct WindowAtlas: Sendable {
    public var run: WindowRun
    public init(run: WindowRun) { self.run = run }

    /// The classes present in the dataset, increasing.
    public func classes() throws -> [Int] {
        let images = try run.configuration.dataset.load(path: run.configuration.dataPath)
        return Set(images.labels).sorted()
    }

    /// One row per class: the window of start class c against the rest.
    public func rows() throws -> [Row] {
        let classes = try classes()
        let progress = Progress(total: classes.count)
        var out = [Row]()
        for (i, c) in classes.enumerated() {
            var one = run
            one.curves = false
            one.configuration.classA = c
            one.configuration.classB = nil
            let (rows, _) = try one.run()
            guard let mine = rows.first(where: { $0.fields.contains { $0.key == "start_class" && $0.value == .string("\(c)") } }) else {
                throw InputError("atlas: class \(c) gave no window of its own")
            }
            out.append(mine)
            progress.update(done: i + 1, label: "class \(c)")
        }
        return out
    }

    /// The gnuplot script of the figure over `csv` (the rows rendered as CSV): one bar per class
    /// from t10 to t90 (RD.24), t50 as a point, every point with its 95 % interval (RD.25).
    public static func gnuplotScript(keys: [String], csv: String = "atlas.csv", png: String = "atlas.png", title: String) throws -> String {
        func column(_ key: String) throws -> Int {
            guard let i = keys.firstIndex(of: key) else { throw InputError("atlas: the rows have no column \(key)") }
            return i + 1
        }
        let c = try column("start_class")
        let (t10, t50, t90) = (try column("t10"), try column("t50"), try column("t90"))
        let ci = { (key: String) throws -> (Int, Int) in (try column(key + "_ci_low"), try column(key + "_ci_high")) }
        let (l10, h10) = try ci("t10"), (l50, h50) = try ci("t50"), (l90, h90) = try ci("t90")
        return """
        set terminal pngcairo size 900,\(120 + 40 * 10) enhanced
        set output '\(png)'
        set datafile separator ','
        set key autotitle columnhead
        set key outside bottom center horizontal
        set title '\(title)'
        set xlabel 'interpolant time t (0 noise, 1 data)'
        set ylabel 'class (against the rest)'
        set xrange [0:1]
        set offsets 0, 0, 0.6, 0.6
        set style fill transparent solid 0.35 border
        plot '\(csv)' using (($\(t10) + $\(t90)) / 2):0:\(t10):\(t90):($0 - 0.3):($0 + 0.3):ytic(stringcolumn(\(c))) with boxxyerror lc rgb '#3060c0' title 'window t10 to t90', \\
             '' using \(t50):0:\(l50):\(h50) with xerrorbars pt 7 lc rgb 'black' title 't50 (95 % interval)', \\
             '' using \(t10):0:\(l10):\(h10) with xerrorbars pt 1 lc rgb '#c03030' title 't10, t90 (95 % intervals)', \\
             '' using \(t90):0:\(l90):\(h90) with xerrorbars pt 1 lc rgb '#c03030' notitle

        """
    }

    /// Writes atlas.csv, atlas.gp and (gnuplot permitting) atlas.png into `directory`.
    public func write(_ rows: [Row], to directory: URL) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try writeAtomically(try render(rows, as: .csv), to: directory.appendingPathComponent("atlas.csv"))
        let c = run.configuration
        let title = "\(c.dataset.rawValue): when each class is decided (class share \(c.majority), \(run.model.rawValue) model)"
        let script = directory.appendingPathComponent("atlas.gp")
        try writeAtomically(try Self.gnuplotScript(keys: rows.first?.keys ?? [], title: title), to: script)
        let drawn = renderWithGnuplot(script: script, in: directory)
        note("wrote \(directory.path)/atlas.csv, atlas.gp" + (drawn ? ", atlas.png" : " (no PNG: gnuplot missing or failed)"))
    }
}
