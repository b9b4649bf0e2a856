/**
 * What a dataset scan reports. The types are declared once, in `main/contract.ts` (every front
 * end shows this report), and re-exported here for the scanner's modules.
 *
 * Paths are relative to the dataset root with `/` separators; classes are sorted by name in
 * plain code-point order.
 */
export type {
  DatasetLayout,
  DatasetProblem,
  DuplicateGroup,
  ImageSize,
  ScannedClass,
  ScanProgress,
  ScanReport,
  ScanValidation,
  SizeDistribution,
} from '../../contract';
