import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.deidentifier.arx.ARXAnonymizer;
import org.deidentifier.arx.ARXConfiguration;
import org.deidentifier.arx.ARXLattice.ARXNode;
import org.deidentifier.arx.ARXPopulationModel;
import org.deidentifier.arx.ARXResult;
import org.deidentifier.arx.AttributeType;
import org.deidentifier.arx.AttributeType.Hierarchy;
import org.deidentifier.arx.Data;
import org.deidentifier.arx.DataHandle;
import org.deidentifier.arx.criteria.EntropyLDiversity;
import org.deidentifier.arx.criteria.KAnonymity;
import org.deidentifier.arx.metric.Metric;
import org.deidentifier.arx.risk.RiskModelPopulationUniqueness;

/**
 * ARX 3.9.2 side by side with eucaim-wizard (benchmarks/arx_compare.py starts it; never a
 * dependency of the project). Arguments are key=value words:
 *
 *   data=FILE sep=; runs=N qi=NAME=HIERARCHY.csv (repeated; qi=NAME= without one, for risk=)
 *   k=N entropy=ATTRIBUTE:L suppression=0.05
 *   weight=NAME:W (repeated) gs=0.5 aggregate=geometric|arithmetic|sum|max
 *   metric=loss|precision|height|discernibility|aecs|entropy (ARX's defaults: not monotonic)
 *   algorithm=bottom-up|top-down|binary|genetic|optimal time=MS steps=N (ARX's best-effort searches)
 *   risk=REGION|SIZE  (population uniqueness of the input projected on the QIs instead of a search)
 *
 * prints one JSON line: levels in the QI order given, loss, suppressed records, checked
 * transformations, median and each warm run's milliseconds; or the risk estimates.
 */
public class ArxCompare {
    public static void main(String[] args) throws Exception {
        Map<String, String> one = new LinkedHashMap<>();
        List<String[]> qis = new ArrayList<>();
        Map<String, Double> weights = new LinkedHashMap<>();
        for (String arg : args) {
            String[] pair = arg.split("=", 2);
            if (pair[0].equals("qi")) {
                qis.add(pair[1].split("=", 2));
            } else if (pair[0].equals("weight")) {
                String[] w = pair[1].split(":", 2);
                weights.put(w[0], Double.parseDouble(w[1]));
            } else {
                one.put(pair[0], pair[1]);
            }
        }
        char sep = one.getOrDefault("sep", ";").charAt(0);
        Data data = Data.create(one.get("data"), StandardCharsets.UTF_8, sep);
        DataHandle input = data.getHandle();
        for (int c = 0; c < input.getNumColumns(); c++) {
            data.getDefinition().setAttributeType(input.getAttributeName(c), AttributeType.INSENSITIVE_ATTRIBUTE);
        }
        for (String[] qi : qis) {
            if (qi[1].isEmpty()) {  // no hierarchy: enough for the risk of the input
                data.getDefinition().setAttributeType(qi[0], AttributeType.QUASI_IDENTIFYING_ATTRIBUTE);
            } else {
                data.getDefinition().setAttributeType(qi[0], Hierarchy.create(qi[1], StandardCharsets.UTF_8, ';'));
            }
        }
        if (one.containsKey("risk")) {
            risk(data, one.get("risk"));
            return;
        }
        ARXConfiguration config = ARXConfiguration.create();
        if (one.containsKey("k")) {
            config.addPrivacyModel(new KAnonymity(Integer.parseInt(one.get("k"))));
        }
        if (one.containsKey("entropy")) {
            String[] e = one.get("entropy").split(":", 2);
            data.getDefinition().setAttributeType(e[0], AttributeType.SENSITIVE_ATTRIBUTE);
            config.addPrivacyModel(new EntropyLDiversity(e[0], Double.parseDouble(e[1])));
        }
        config.setSuppressionLimit(Double.parseDouble(one.getOrDefault("suppression", "0")));
        if (one.containsKey("algorithm")) {  // a best-effort search (issue 26), with its limits
            switch (one.get("algorithm")) {
                case "bottom-up": config.setAlgorithm(ARXConfiguration.AnonymizationAlgorithm.BEST_EFFORT_BOTTOM_UP); break;
                case "top-down": config.setAlgorithm(ARXConfiguration.AnonymizationAlgorithm.BEST_EFFORT_TOP_DOWN); break;
                case "binary": config.setAlgorithm(ARXConfiguration.AnonymizationAlgorithm.BEST_EFFORT_BINARY); break;
                case "genetic": config.setAlgorithm(ARXConfiguration.AnonymizationAlgorithm.BEST_EFFORT_GENETIC); break;
                default: config.setAlgorithm(ARXConfiguration.AnonymizationAlgorithm.OPTIMAL);
            }
            if (one.containsKey("time")) config.setHeuristicSearchTimeLimit(Integer.parseInt(one.get("time")));
            if (one.containsKey("steps")) config.setHeuristicSearchStepLimit(Integer.parseInt(one.get("steps")));
        }
        Metric.AggregateFunction aggregate = Metric.AggregateFunction.GEOMETRIC_MEAN;
        switch (one.getOrDefault("aggregate", "geometric")) {
            case "arithmetic": aggregate = Metric.AggregateFunction.ARITHMETIC_MEAN; break;
            case "sum": aggregate = Metric.AggregateFunction.SUM; break;
            case "max": aggregate = Metric.AggregateFunction.MAXIMUM; break;
            default: break;
        }
        switch (one.getOrDefault("metric", "loss")) {
            case "precision": config.setQualityModel(Metric.createPrecisionMetric(false)); break;
            case "height": config.setQualityModel(Metric.createHeightMetric()); break;
            case "discernibility": config.setQualityModel(Metric.createDiscernabilityMetric(false)); break;
            case "aecs": config.setQualityModel(Metric.createAECSMetric()); break;
            case "entropy": config.setQualityModel(Metric.createEntropyMetric(false)); break;
            default:
                config.setQualityModel(Metric.createLossMetric(Double.parseDouble(one.getOrDefault("gs", "0.5")), aggregate));
        }
        for (Map.Entry<String, Double> w : weights.entrySet()) {
            config.setAttributeWeight(w.getKey(), w.getValue());
        }
        int runs = Integer.parseInt(one.getOrDefault("runs", "5"));
        ARXAnonymizer anonymizer = new ARXAnonymizer();
        double[] ms = new double[runs];
        ARXResult result = null;
        for (int r = 0; r < runs; r++) {
            data.getHandle().release();
            long t = System.nanoTime();
            result = anonymizer.anonymize(data, config);
            ms[r] = (System.nanoTime() - t) / 1e6;
        }
        ARXNode optimum = result.getGlobalOptimum();
        StringBuilder out = new StringBuilder("{");
        if (optimum != null) {
            List<String> order = Arrays.asList(optimum.getQuasiIdentifyingAttributes());
            StringBuilder levels = new StringBuilder("{");
            for (String[] qi : qis) {
                levels.append(levels.length() > 1 ? ", " : "").append('"').append(qi[0]).append("\": ")
                      .append(optimum.getTransformation()[order.indexOf(qi[0])]);
            }
            int suppressed = 0;
            DataHandle output = result.getOutput(optimum, false);
            for (int row = 0; row < output.getNumRows(); row++) {
                if (output.isOutlier(row)) suppressed++;
            }
            out.append("\"levels\": ").append(levels).append("}, \"loss\": ")
               .append(optimum.getHighestScore().toString()).append(", \"suppressed\": ").append(suppressed);
        } else {
            out.append("\"levels\": null");
        }
        int checked = 0;
        for (ARXNode[] level : result.getLattice().getLevels()) {
            for (ARXNode node : level) {
                if (node.isChecked()) checked++;
            }
        }
        double[] sorted = ms.clone();
        Arrays.sort(sorted);
        out.append(", \"checked\": ").append(checked).append(", \"median_ms\": ").append(sorted[runs / 2])
           .append(", \"runs_ms\": ").append(Arrays.toString(ms)).append("}");
        System.out.println(out);
    }

    /** Population uniqueness estimates of the input, as ARX's risk view computes them. */
    private static void risk(Data data, String region) {
        ARXPopulationModel population = region.matches("[0-9]+")
            ? ARXPopulationModel.create(Long.parseLong(region))
            : ARXPopulationModel.create(ARXPopulationModel.Region.valueOf(region));
        long t = System.nanoTime();
        RiskModelPopulationUniqueness u = data.getHandle().getRiskEstimator(population).getPopulationBasedUniquenessRisk();
        String line = String.format(Locale.ROOT,
            "{\"pitman\": %s, \"zayatz\": %s, \"snb\": %s, \"dankar\": %s, \"dankar_model\": \"%s\", \"ms\": %.3f}",
            u.getFractionOfUniqueTuplesPitman(), u.getFractionOfUniqueTuplesZayatz(),
            u.getFractionOfUniqueTuplesSNB(), u.getFractionOfUniqueTuplesDankar(),
            u.getPopulationUniquenessModel(), (System.nanoTime() - t) / 1e6);
        System.out.println(line.replace("NaN", "null"));
    }
}
